import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';

// getTableStyles are the styles of the pages' plain tables: a left-aligned caption, ruled rows,
// and a monospace class for keys, ids and paths that may break anywhere.
export const getTableStyles = (theme: GrafanaTheme2) => ({
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
});
