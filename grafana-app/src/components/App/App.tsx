import React from 'react';
import { Route, Routes } from 'react-router-dom';
import { AppRootProps } from '@grafana/data';
import { Alert } from '@grafana/ui';
import { PLUGIN_ID } from '../../constants';
import { testIds } from '../testIds';
import type { AppSettings } from '../../types';

// The app's root: one route per page. The pages of issue #12 (Overview, Keys, Watch, Cluster,
// Maintenance, Audit, Tokens) are added here as they land; until then every route says so.
function App(_props: AppRootProps<AppSettings>) {
  return (
    <div data-testid={testIds.app.container}>
      <Routes>
        <Route
          path="*"
          element={
            <Alert severity="info" title="etcd-monitor">
              The pages are on their way. Configure the connection to opsproxy on the{' '}
              <a href={`/plugins/${PLUGIN_ID}`}>configuration page</a> and use its test button.
            </Alert>
          }
        />
      </Routes>
    </div>
  );
}

export default App;
