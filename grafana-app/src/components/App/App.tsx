import React from 'react';
import { Route, Routes } from 'react-router-dom';
import { AppRootProps } from '@grafana/data';
import { config, PluginPage } from '@grafana/runtime';
import { ApiProvider, grafanaTransport } from '../../api';
import { ROUTES } from '../../constants';
import { Audit } from '../../pages/Audit/Audit';
import { Backups } from '../../pages/Backups/Backups';
import { Benchmarks } from '../../pages/Benchmarks/Benchmarks';
import { Cluster } from '../../pages/Cluster/Cluster';
import { Disk } from '../../pages/Disk/Disk';
import { CommandConsole } from '../../pages/Console/CommandConsole';
import { Jobs } from '../../pages/Jobs/Jobs';
import { Maintenance } from '../../pages/Maintenance/Maintenance';
import { Keys } from '../../pages/Keys/Keys';
import { Overview } from '../../pages/Overview/Overview';
import { Tokens } from '../../pages/Tokens/Tokens';
import { Watch } from '../../pages/Watch/Watch';
import { testIds } from '../testIds';
import type { AppSettings } from '../../types';

// One transport for the app's lifetime: the plugin's resources, forwarded by the backend to
// opsproxy as the signed-in Grafana user.
const transport = grafanaTransport();

// The app's root: one route per page of issue #12, each inside Grafana's PluginPage (title and
// navigation from plugin.json's includes). Overview is the landing page; later issues add their
// pages here.
function App(_props: AppRootProps<AppSettings>) {
  // opsproxy acts with the lower of the user's org role and the service token's: only an org
  // Admin may verify the audit log, change a cluster's members and alarms, run maintenance or
  // manage tokens, cancel jobs or change schedules (both job kinds need admin), so only an Admin
  // is offered those actions.
  const isAdmin = config.bootData?.user?.orgRole === 'Admin';
  // The app's dashboards are under Grafana's sub-path ('' at the root).
  const dashboardsBase = config.appSubUrl ?? '';
  // Editors and Admins may write keys (opsproxy still limits them to the token's prefixes).
  const canWriteKeys = isAdmin || config.bootData?.user?.orgRole === 'Editor';
  return (
    <div data-testid={testIds.app.container}>
      <ApiProvider transport={transport}>
        <Routes>
          <Route
            path={ROUTES.Keys}
            element={
              <PluginPage>
                <Keys canWrite={canWriteKeys} />
              </PluginPage>
            }
          />
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
                <Cluster canAdmin={isAdmin} dashboardsBase={dashboardsBase} />
              </PluginPage>
            }
          />
          <Route
            path={ROUTES.Maintenance}
            element={
              <PluginPage>
                <Maintenance canAdmin={isAdmin} />
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
            path={ROUTES.Jobs}
            element={
              <PluginPage>
                <Jobs canAdmin={isAdmin} />
              </PluginPage>
            }
          />
          <Route
            path={ROUTES.Console}
            element={
              <PluginPage>
                <CommandConsole />
              </PluginPage>
            }
          />
          <Route
            path={ROUTES.Benchmarks}
            element={
              <PluginPage>
                <Benchmarks canAdmin={isAdmin} />
              </PluginPage>
            }
          />
          <Route
            path={ROUTES.Disk}
            element={
              <PluginPage>
                <Disk canAdmin={isAdmin} />
              </PluginPage>
            }
          />
          <Route
            path={ROUTES.Backups}
            element={
              <PluginPage>
                <Backups canAdmin={isAdmin} />
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
                <Overview dashboardsBase={dashboardsBase} />
              </PluginPage>
            }
          />
        </Routes>
      </ApiProvider>
    </div>
  );
}

export default App;
