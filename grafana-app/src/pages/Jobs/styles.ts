import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { getTableStyles } from '../tableStyles';

// The Jobs page's styles, shared by its parts.
export const getStyles = (theme: GrafanaTheme2) => ({
  ...getTableStyles(theme),
  note: css({ color: theme.colors.text.secondary }),
  filters: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1), alignItems: 'flex-end' }),
  form: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), maxWidth: 720 }),
  section: css({ marginTop: theme.spacing(2) }),
  actions: css({ display: 'flex', gap: theme.spacing(1), marginTop: theme.spacing(1) }),
  facts: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: theme.spacing(0.5, 2),
    dt: { color: theme.colors.text.secondary },
    dd: { margin: 0 },
  }),
  select: css({
    height: theme.spacing(4),
    minWidth: 160,
    background: theme.components.input.background,
    color: theme.components.input.text,
    border: `1px solid ${theme.components.input.borderColor}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0, 1),
  }),
  pre: css({ fontFamily: theme.typography.fontFamilyMonospace, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }),
});
