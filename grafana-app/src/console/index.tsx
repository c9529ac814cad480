import React from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { createTheme, ThemeContext } from '@grafana/data';
import { PortalContainer } from '@grafana/ui';
import { consoleTransport } from '../api/consoleTransport';
import { Console } from './Console';
import { injectGlobalStyles } from './globalStyles';
import { initConsoleTranslations } from './translations';

// The standalone console's entry (webpack.console.config.ts): the app's pages outside Grafana,
// served by opsproxy at /ui/ and calling its API on the same origin with the signed-in token.

// BASENAME is where opsproxy serves the console.
const BASENAME = '/ui';

// @grafana/ui loads its icons from <public path>build/img/icons/; the console build copies them
// to /ui/public/build/img/icons/.
(window as Window & { __grafana_public_path__?: string }).__grafana_public_path__ = `${BASENAME}/public/`;

const transportFor = (token: string) => consoleTransport(window.location.origin, token);

async function start() {
  // @grafana/ui's texts go through @grafana/i18n, which Grafana initialises for a plugin;
  // here the console does.
  await initConsoleTranslations();
  const theme = createTheme();
  injectGlobalStyles(theme);
  const root = document.getElementById('root');
  if (!root) {
    throw new Error('index.html has no #root element');
  }
  createRoot(root).render(
    <ThemeContext.Provider value={theme}>
      <BrowserRouter basename={BASENAME} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Console transportFor={transportFor} />
      </BrowserRouter>
      {/* Where @grafana/ui puts modals and tooltips, above the page, as in Grafana. */}
      <PortalContainer />
    </ThemeContext.Provider>
  );
}

start();
