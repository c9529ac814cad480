import { injectGlobal } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';

// injectGlobalStyles gives the page what Grafana's own shell gives the app's pages: the theme's
// background, text colour and font on the document. @grafana/ui's GlobalStyles is not used: it
// loads web fonts from Grafana's public folder, which the console does not have; the theme's
// font stack falls back to the system's fonts instead.
export function injectGlobalStyles(theme: GrafanaTheme2) {
  injectGlobal({
    '*, *::before, *::after': { boxSizing: 'border-box' },
    'html, body': {
      margin: 0,
      minHeight: '100%',
      background: theme.colors.background.canvas,
      color: theme.colors.text.primary,
      fontFamily: theme.typography.fontFamily,
      fontSize: theme.typography.body.fontSize,
      lineHeight: theme.typography.body.lineHeight,
    },
    a: { color: theme.colors.text.link },
    h1: {
      fontSize: theme.typography.h2.fontSize,
      fontWeight: theme.typography.h2.fontWeight,
      margin: theme.spacing(0, 0, 2),
    },
  });
}
