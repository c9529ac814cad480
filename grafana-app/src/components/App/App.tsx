import React from 'react';
import { Route, Routes } from 'react-router-dom';
import { AppRootProps } from '@grafana/data';
import { config, PluginPage } from '@grafana/runtime';
import { ApiProvider, grafanaTransport } from '../../api';
import { ROUTES } from '../../constants';
import { Audit } from '../../pages/Audit/Audit';
import { Cluster } from '../../pages/Cluster/Cluster';
import { Overview } from '../../pages/Overview/Overview';
import { Tokens } from '../../pages/Tokens/Tokens';
import { Watch } from '../../pages/Watch/Watch';
import { testIds } from '../testIds';
import type { AppSettings } from '../../types';

// One transport for the app's lifetime: the plugin's resources, forwarded by the backend to
// opsproxy as the signed-in Grafana user.
const transport = grafanaTransport();

// The app's root: one route per page of issue #12, each inside Grafana's PluginPage (title and
// navigation from plugin.json's includes). Overview is the landing page. Keys and
// Maintenance are added here as they land.
function App(_props: AppRootProps<AppSettings>) {
  // opsproxy acts with the lower of the user's org role and the service token's: only an org
  // Admin may verify the audit log or change a cluster's members and alarms, so only an Admin is
  // offered those actions, and only an Admin manages tokens.
  const isAdmin = config.bootData?.user?.orgRole === 'Admin';
  return (
    <div data-testid={testIds.app.container}>
      <ApiProvider transport={transport}>
        <Routes>
          <Route
            path={ROUTES.Watch}
            element={
              <PluginPage>
                <Watch />
              </PluginPage>
            }
          />
          <Route
            path={ROUTES.Cluster}
            element={
              <PluginPage>
                <Cluster canAdmin={isAdmin} />
              </PluginPage>
            }
          />
          <Route
            path={ROUTES.Audit}
            element={
              <PluginPage>
                <Audit canVerify={isAdmin} />
              </PluginPage>
            }
          />
          <Route
            path={ROUTES.Tokens}
            element={
              <PluginPage>
                <Tokens canAdmin={isAdmin} />
              </PluginPage>
            }
          />
          <Route
            path="*"
            element={
              <PluginPage>
                <Overview />
              </PluginPage>
            }
          />
        </Routes>
      </ApiProvider>
    </div>
  );
}

export default App;
