import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { getTableStyles } from '../tableStyles';

// The Maintenance page's styles, shared by its sections.
export const getStyles = (theme: GrafanaTheme2) => ({
  ...getTableStyles(theme),
  note: css({ color: theme.colors.text.secondary }),
  form: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), maxWidth: 720 }),
  section: css({ marginTop: theme.spacing(3) }),
  buttons: css({ display: 'flex', gap: theme.spacing(1), marginBottom: theme.spacing(1) }),
});
