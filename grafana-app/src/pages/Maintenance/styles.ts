import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';

// The Maintenance page's styles, shared by its sections.
export const getStyles = (theme: GrafanaTheme2) => ({
  note: css({ color: theme.colors.text.secondary }),
  caption: css({ textAlign: 'left', fontWeight: theme.typography.fontWeightMedium, padding: theme.spacing(0.5, 0) }),
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': {
      textAlign: 'left',
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      verticalAlign: 'top',
    },
  }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace, wordBreak: 'break-all' }),
  form: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), maxWidth: 720 }),
  section: css({ marginTop: theme.spacing(3) }),
  buttons: css({ display: 'flex', gap: theme.spacing(1), marginBottom: theme.spacing(1) }),
});
