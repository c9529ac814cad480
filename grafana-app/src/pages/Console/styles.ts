import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { getTableStyles } from '../tableStyles';

// getStyles are the console page's styles: a terminal-like scrollback and prompt in the theme's
// monospace font, errors in the theme's error colour.
export const getStyles = (theme: GrafanaTheme2) => {
  const mono = {
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
  };
  return {
    ...getTableStyles(theme),
    toolbar: css({
      display: 'flex',
      flexWrap: 'wrap',
      gap: theme.spacing(2),
      alignItems: 'flex-end',
      marginBottom: theme.spacing(1),
    }),
    // wide takes a row of the toolbar to itself (an alert under the controls).
    wide: css({ flexBasis: '100%' }),
    who: css({ color: theme.colors.text.secondary, margin: theme.spacing(0, 0, 1) }),
    note: css({ color: theme.colors.text.secondary, margin: theme.spacing(0.5, 0) }),
    terminal: css({
      ...mono,
      background: theme.colors.background.canvas,
      border: `1px solid ${theme.colors.border.medium}`,
      borderRadius: theme.shape.radius.default,
      padding: theme.spacing(1),
    }),
    scrollback: css({ maxHeight: '60vh', overflowY: 'auto', marginBottom: theme.spacing(1) }),
    run: css({ padding: theme.spacing(0.5, 0), borderBottom: `1px dashed ${theme.colors.border.weak}` }),
    runHead: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'baseline' }),
    // The line as typed stands apart from what it printed: bold, with a gap under it.
    runLine: css({
      ...mono,
      margin: 0,
      whiteSpace: 'pre-wrap',
      wordBreak: 'break-all',
      flexGrow: 1,
      fontWeight: theme.typography.fontWeightBold,
    }),
    prompt: css({ color: theme.colors.primary.text, fontWeight: theme.typography.fontWeightBold }),
    runBody: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(2), marginTop: theme.spacing(0.5) }),
    text: css({ flex: '1 1 320px', minWidth: 0 }),
    structured: css({
      flex: '1 1 320px',
      minWidth: 0,
      borderLeft: `2px solid ${theme.colors.border.medium}`,
      paddingLeft: theme.spacing(1),
    }),
    out: css({
      ...mono,
      margin: 0,
      whiteSpace: 'pre-wrap',
      wordBreak: 'break-all',
      background: 'none',
      border: 0,
      padding: 0,
    }),
    err: css({ ...mono, margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all', color: theme.colors.error.text }),
    meta: css({ color: theme.colors.text.secondary }),
    exit: css({ color: theme.colors.error.text, fontWeight: theme.typography.fontWeightMedium }),
    inputRow: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'flex-start' }),
    input: css({
      ...mono,
      flexGrow: 1,
      resize: 'none',
      background: 'transparent',
      color: theme.colors.text.primary,
      border: 0,
      outline: 'none',
      padding: 0,
      lineHeight: theme.typography.body.lineHeight,
    }),
    promptBox: css({ '&:focus-within': { outline: `2px solid ${theme.colors.primary.border}`, outlineOffset: 2 } }),
    popup: css({
      ...mono,
      listStyle: 'none',
      margin: theme.spacing(0.5, 0, 0),
      padding: 0,
      maxHeight: 280,
      overflowY: 'auto',
      border: `1px solid ${theme.colors.border.medium}`,
      background: theme.colors.background.primary,
    }),
    option: css({ display: 'flex', gap: theme.spacing(2), padding: theme.spacing(0.25, 1), cursor: 'pointer' }),
    // The chosen option in the primary colour, its description too (contrast on the highlight).
    selected: css({
      background: theme.colors.primary.main,
      color: theme.colors.primary.contrastText,
      '& span': { color: 'inherit' },
    }),
    optionText: css({ whiteSpace: 'pre' }),
    optionMeta: css({ color: theme.colors.text.secondary, marginLeft: 'auto' }),
    help: css({
      display: 'block',
      color: theme.colors.text.secondary,
      fontSize: theme.typography.bodySmall.fontSize,
      margin: theme.spacing(0.5, 0),
    }),
    tree: css({ ...mono, 'details > *:not(summary)': { marginLeft: theme.spacing(2) } }),
    runs: css({ listStyle: 'none', margin: 0, padding: 0 }),
    srOnly: css({
      position: 'absolute',
      width: 1,
      height: 1,
      padding: 0,
      margin: -1,
      overflow: 'hidden',
      clipPath: 'inset(50%)',
      whiteSpace: 'nowrap',
      border: 0,
    }),
    searchInput: css({
      ...mono,
      width: '100%',
      background: theme.components.input.background,
      color: theme.colors.text.primary,
      border: `1px solid ${theme.components.input.borderColor}`,
      borderRadius: theme.shape.radius.default,
      padding: theme.spacing(0.5, 1),
    }),
    jsonKey: css({ color: theme.colors.text.secondary }),
    jsonString: css({ color: theme.colors.success.text }),
    jsonOther: css({ color: theme.colors.info.text }),
  };
};
