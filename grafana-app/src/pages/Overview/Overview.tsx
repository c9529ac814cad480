import React, { useCallback, useEffect, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, LinkButton, LoadingPlaceholder, Stack, useStyles2 } from '@grafana/ui';
import { ApiError, useApi, type Alarm, type Cluster, type Endpoints, type Member } from '../../api';
import { testIds } from '../../components/testIds';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { FailureText } from '../failure';
import { NoClusters } from '../NoClusters';
import { DASHBOARD_UIDS, dashboardHref } from '../../dashboards';
import { formatBytes } from '../format';

// ClusterRow is one cluster with what its members answered; each part fails on its own, so an
// unreachable member or a refused call leaves the rest of the row.
type ClusterRow = {
  cluster: Cluster;
  endpoints?: Endpoints;
  members?: Member[];
  alarms?: Alarm[];
  errors: string[];
};

type State =
  { kind: 'loading' } | { kind: 'error'; message: string; requestId?: string } | { kind: 'loaded'; rows: ClusterRow[] };

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// Overview: every cluster the token may use, with health, leader, members, DB size, alarms,
// revision and version. dashboardsBase is Grafana's sub-path: each cluster then links to the
// app's dashboards with its cluster variable set; undefined (no Grafana, as in the standalone
// console) leaves the links out.
export function Overview({ dashboardsBase }: { dashboardsBase?: string }) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => {
    setState({ kind: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const clusters = await api.listClusters();
        const rows = await Promise.all(
          clusters.map(async (cluster): Promise<ClusterRow> => {
            const [endpoints, members, alarms] = await Promise.allSettled([
              api.clusterEndpoints(cluster.name),
              api.listMembers(cluster.name),
              api.listAlarms(cluster.name),
            ]);
            const errors: string[] = [];
            const value = <T,>(r: PromiseSettledResult<T>, what: string) => {
              if (r.status === 'fulfilled') {
                return r.value;
              }
              errors.push(`${what}: ${message(r.reason)}`);
              return undefined;
            };
            return {
              cluster,
              endpoints: value(endpoints, 'endpoints'),
              members: value(members, 'members'),
              alarms: value(alarms, 'alarms'),
              errors,
            };
          })
        );
        if (!cancelled) {
          setState({ kind: 'loaded', rows });
        }
      } catch (err) {
        if (!cancelled) {
          setState({
            kind: 'error',
            message: message(err),
            requestId: err instanceof ApiError ? err.requestId : undefined,
          });
        }
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [api, attempt]);

  return (
    <div data-testid={testIds.overview.page}>
      {state.kind === 'loading' && (
        <div data-testid={testIds.overview.loading}>
          <LoadingPlaceholder text="Loading clusters…" />
        </div>
      )}
      {state.kind === 'error' && (
        <ErrorWithRetry
          title="Could not load the clusters"
          failure={<FailureText f={state} />}
          onRetry={retry}
          testId={testIds.overview.error}
          retryTestId={testIds.overview.retry}
        />
      )}
      {state.kind === 'loaded' && state.rows.length === 0 && <NoClusters testId={testIds.overview.empty} />}
      {state.kind === 'loaded' && state.rows.length > 0 && (
        <>
          <div className={styles.toolbar}>
            <Button variant="secondary" icon="sync" onClick={retry}>
              Refresh
            </Button>
          </div>
          <table className={styles.table} data-testid={testIds.overview.table}>
            <caption className={styles.caption}>Clusters</caption>
            <thead>
              <tr>
                <th scope="col">Cluster</th>
                <th scope="col">Health</th>
                <th scope="col">Endpoints healthy</th>
                <th scope="col">Leader</th>
                <th scope="col">Members up</th>
                <th scope="col">DB size</th>
                <th scope="col">Alarms</th>
                <th scope="col">Revision</th>
                <th scope="col">Version</th>
                {dashboardsBase !== undefined && <th scope="col">Dashboards</th>}
              </tr>
            </thead>
            <tbody>
              {state.rows.map((row) => (
                <Row key={row.cluster.name} row={row} dashboardsBase={dashboardsBase} />
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

function Row({ row, dashboardsBase }: { row: ClusterRow; dashboardsBase?: string }) {
  const { cluster, endpoints, members, alarms, errors } = row;
  const eps = endpoints?.endpoints ?? [];
  const leaderEp = eps.find((e) => e.status?.is_leader);
  const leaderName = leaderEp ? leaderEp.member || leaderEp.id || leaderEp.endpoint : undefined;
  const answered = eps.filter((e) => e.status).length;
  const dbSize = leaderEp?.status?.db_size ?? Math.max(...eps.map((e) => e.status?.db_size ?? -1), -1);
  const versions = Array.from(new Set(eps.map((e) => e.status?.version).filter(Boolean)));
  const revision = cluster.revision ?? leaderEp?.status?.revision;
  const healthy = cluster.reachable !== false && endpoints !== undefined && endpoints.healthy === endpoints.total;
  const memberName = (id: string) => members?.find((m) => m.id === id)?.name || id;

  return (
    <tr data-testid={testIds.overview.row(cluster.name)}>
      <th scope="row">{cluster.name}</th>
      <td>
        {cluster.reachable === false ? (
          <Badge color="red" icon="exclamation-triangle" text="unreachable" />
        ) : healthy ? (
          <Badge color="green" icon="check" text="healthy" />
        ) : (
          <Badge color="orange" icon="exclamation-triangle" text="degraded" />
        )}
        {cluster.error && <div>{cluster.error}</div>}
        {errors.map((e) => (
          <div key={e}>{e}</div>
        ))}
      </td>
      <td>{endpoints ? `${endpoints.healthy}/${endpoints.total}` : '—'}</td>
      <td>{leaderName ?? (endpoints ? 'no leader' : '—')}</td>
      <td>{members ? `${answered}/${members.length}` : '—'}</td>
      <td>{dbSize >= 0 ? formatBytes(dbSize) : '—'}</td>
      <td>
        {alarms === undefined
          ? '—'
          : alarms.length === 0
            ? 'none'
            : alarms.map((a) => `${a.alarm} on ${memberName(a.member_id)}`).join(', ')}
      </td>
      <td>{revision ?? '—'}</td>
      <td>{versions.length ? versions.join(', ') : '—'}</td>
      {dashboardsBase !== undefined && (
        <td>
          <Stack gap={1}>
            <LinkButton
              size="sm"
              variant="secondary"
              fill="text"
              icon="apps"
              href={dashboardHref(dashboardsBase, DASHBOARD_UIDS.clusterOverview, { cluster: cluster.name })}
              aria-label={`Cluster overview dashboard of ${cluster.name}`}
            >
              Cluster
            </LinkButton>
            <LinkButton
              size="sm"
              variant="secondary"
              fill="text"
              icon="apps"
              href={dashboardHref(dashboardsBase, DASHBOARD_UIDS.memberDetail, { cluster: cluster.name })}
              aria-label={`Member detail dashboard of ${cluster.name}`}
            >
              Members
            </LinkButton>
          </Stack>
        </td>
      )}
    </tr>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  toolbar: css({ display: 'flex', justifyContent: 'flex-end', marginBottom: theme.spacing(1) }),
  caption: css({ textAlign: 'left', fontWeight: theme.typography.fontWeightMedium, padding: theme.spacing(0.5, 0) }),
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': {
      textAlign: 'left',
      padding: theme.spacing(0.75, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      verticalAlign: 'top',
    },
  }),
});

export default Overview;
