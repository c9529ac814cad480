import React, { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Alert,
  Badge,
  Button,
  ConfirmModal,
  Field,
  Input,
  LinkButton,
  LoadingPlaceholder,
  Stack,
  useStyles2,
} from '@grafana/ui';
import { useApi, type Alarm, type Cluster as ClusterInfo, type Endpoint, type Member } from '../../api';
import { testIds } from '../../components/testIds';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { NoClusters } from '../NoClusters';
import { DASHBOARD_UIDS, dashboardHref } from '../../dashboards';
import { ClusterPicker } from '../ClusterPicker';
import { failure, FailureText, type Failure } from '../failure';
import { formatBytes } from '../format';
import { quorumChange } from './quorum';
import { getTableStyles } from '../tableStyles';

// What one cluster answered (key: the cluster and attempt it was loaded for). The members are the
// page; endpoints and alarms fail on their own and leave the rest.
type Loaded = {
  key: string;
  clusters: ClusterInfo[];
  error?: Failure;
  members?: Member[];
  endpoints?: Endpoint[];
  endpointsError?: Failure;
  alarms?: Alarm[];
  alarmsError?: Failure;
};

// A mutating action waiting for the user's confirmation.
type Pending = { title: string; body: string; confirmText: string; run: () => Promise<string> };

type Outcome = { kind: 'done'; message: string } | { kind: 'error'; title: string; error: Failure };

// endpointOf finds the endpoint that answered for member m: by member id, by name, or by client URL.
function endpointOf(m: Member, endpoints: Endpoint[]): Endpoint | undefined {
  return (
    endpoints.find((e) => e.id && e.id === m.id) ??
    endpoints.find((e) => e.member && e.member === m.name) ??
    endpoints.find((e) => m.client_urls?.includes(e.endpoint))
  );
}

// Cluster: one cluster's members (joined with what their endpoints answered), endpoint health and
// alarms. The cluster is the URL's ?cluster=, so a link shows the same cluster. Membership changes
// and disarming need the admin role; canAdmin false leaves them out. Each asks for confirmation
// saying what happens to quorum. dashboardsBase is Grafana's sub-path: the cluster and each
// member then link to the app's dashboards; undefined (the standalone console) leaves them out.
export function Cluster({ canAdmin = false, dashboardsBase }: { canAdmin?: boolean; dashboardsBase?: string }) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [params, setParams] = useSearchParams();
  const selected = params.get('cluster') ?? '';
  const [attempt, setAttempt] = useState(0);
  const key = `${selected}#${attempt}`;
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [pending, setPending] = useState<Pending | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const [peerUrls, setPeerUrls] = useState('');

  useEffect(() => {
    let cancelled = false;
    (async () => {
      let clusters: ClusterInfo[];
      try {
        clusters = await api.listClusters();
      } catch (err) {
        if (!cancelled) {
          setLoaded({ key, clusters: [], error: failure(err) });
        }
        return;
      }
      if (!selected) {
        if (!cancelled) {
          if (clusters.length > 0) {
            // No cluster in the link: show the first, and say so in the URL.
            setParams({ cluster: clusters[0].name }, { replace: true });
          } else {
            setLoaded({ key, clusters });
          }
        }
        return;
      }
      const [members, endpoints, alarms] = await Promise.allSettled([
        api.listMembers(selected),
        api.clusterEndpoints(selected),
        api.listAlarms(selected),
      ]);
      if (cancelled) {
        return;
      }
      setLoaded({
        key,
        clusters,
        members: members.status === 'fulfilled' ? members.value : undefined,
        error: members.status === 'rejected' ? failure(members.reason) : undefined,
        endpoints: endpoints.status === 'fulfilled' ? endpoints.value.endpoints : undefined,
        endpointsError: endpoints.status === 'rejected' ? failure(endpoints.reason) : undefined,
        alarms: alarms.status === 'fulfilled' ? alarms.value : undefined,
        alarmsError: alarms.status === 'rejected' ? failure(alarms.reason) : undefined,
      });
    })();
    return () => {
      cancelled = true;
    };
  }, [api, key, selected, setParams]);

  const current = loaded?.key === key ? loaded : undefined;
  const members = useMemo(() => current?.members ?? [], [current]);
  const endpoints = useMemo(() => current?.endpoints ?? [], [current]);
  const healthy = useMemo(
    () =>
      current?.endpoints
        ? new Set(members.filter((m) => endpointOf(m, endpoints)?.healthy).map((m) => m.id))
        : undefined,
    [current, members, endpoints]
  );
  const name = (id: string) => members.find((m) => m.id === id)?.name || id;
  const retry = () => setAttempt((n) => n + 1);

  const confirm = async () => {
    const p = pending;
    setPending(undefined);
    if (!p) {
      return;
    }
    try {
      setOutcome({ kind: 'done', message: await p.run() });
      retry();
    } catch (err) {
      setOutcome({ kind: 'error', title: `${p.confirmText} failed`, error: failure(err) });
    }
  };

  const askRemove = (m: Member) =>
    setPending({
      title: `Remove member ${m.name || m.id}?`,
      body: quorumChange(members, { kind: 'remove', id: m.id }, healthy),
      confirmText: 'Remove member',
      run: async () => {
        await api.removeMember(selected, m.id);
        return `Removed member ${m.name || m.id}.`;
      },
    });
  const askPromote = (m: Member) =>
    setPending({
      title: `Promote learner ${m.name || m.id}?`,
      body: quorumChange(members, { kind: 'promote', id: m.id }, healthy),
      confirmText: 'Promote',
      run: async () => {
        await api.promoteMember(selected, m.id);
        return `Promoted ${m.name || m.id} to a voting member.`;
      },
    });
  const askDisarm = (a?: Alarm) =>
    setPending({
      title: a ? `Disarm ${a.alarm} on ${name(a.member_id)}?` : 'Disarm every alarm?',
      body:
        `Disarming changes no membership: quorum stays as it is. An alarm whose cause remains ` +
        `(a database still over its quota, a corruption still found) is raised again.`,
      confirmText: 'Disarm',
      run: async () => {
        const d = await api.disarmAlarms(selected, a ? { member_id: a.member_id, alarm: a.alarm } : {});
        return `Disarmed ${d.length} alarm${d.length === 1 ? '' : 's'}.`;
      },
    });
  const askAddLearner = (e: FormEvent) => {
    e.preventDefault();
    const urls = peerUrls.split(/[\s,]+/).filter(Boolean);
    if (urls.length === 0) {
      return;
    }
    setPending({
      title: `Add a learner at ${urls.join(', ')}?`,
      body: quorumChange(members, { kind: 'add-learner' }),
      confirmText: 'Add learner',
      run: async () => {
        const r = await api.addLearner(selected, urls);
        setPeerUrls('');
        return `Added learner ${r.member?.id ?? ''} at ${urls.join(', ')}; start etcd there with --initial-cluster-state=existing.`;
      },
    });
  };

  const clusters = current?.clusters ?? loaded?.clusters ?? [];

  return (
    <div data-testid={testIds.cluster.page}>
      <ClusterPicker
        id="cluster-picker"
        clusters={clusters}
        selected={selected}
        onChange={(cluster) => {
          setOutcome(undefined);
          setParams({ cluster });
        }}
        testId={testIds.cluster.picker}
      />

      {outcome?.kind === 'done' && (
        <Alert
          severity="success"
          title={outcome.message}
          onRemove={() => setOutcome(undefined)}
          data-testid={testIds.cluster.actionDone}
        />
      )}
      {outcome?.kind === 'error' && (
        <Alert
          severity="error"
          title={outcome.title}
          onRemove={() => setOutcome(undefined)}
          data-testid={testIds.cluster.actionError}
        >
          <FailureText f={outcome.error} />
        </Alert>
      )}

      {!current && (
        <div data-testid={testIds.cluster.loading}>
          <LoadingPlaceholder text="Loading the cluster…" />
        </div>
      )}
      {current?.error && (
        <ErrorWithRetry
          title={selected ? `Could not load cluster ${selected}` : 'Could not load the clusters'}
          failure={<FailureText f={current.error} />}
          onRetry={retry}
          testId={testIds.cluster.error}
          retryTestId={testIds.cluster.retry}
        />
      )}
      {current && !current.error && !selected && <NoClusters testId={testIds.cluster.empty} />}
      {current && !current.error && selected && members.length === 0 && (
        <Alert severity="info" title="No members" data-testid={testIds.cluster.empty}>
          Cluster {selected} answered no members.
        </Alert>
      )}
      {current && !current.error && members.length > 0 && (
        <>
          <div className={styles.toolbar}>
            {dashboardsBase !== undefined && (
              <LinkButton
                variant="secondary"
                fill="text"
                icon="apps"
                href={dashboardHref(dashboardsBase, DASHBOARD_UIDS.clusterOverview, { cluster: selected })}
              >
                Cluster dashboard
              </LinkButton>
            )}
            <Button variant="secondary" icon="sync" onClick={retry}>
              Refresh
            </Button>
          </div>
          <table className={styles.table} data-testid={testIds.cluster.members}>
            <caption className={styles.caption}>Members of {selected}</caption>
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">Name</th>
                <th scope="col">Peer URLs</th>
                <th scope="col">Client URLs</th>
                <th scope="col">Leader</th>
                <th scope="col">Learner</th>
                <th scope="col">DB size</th>
                <th scope="col">Raft index</th>
                <th scope="col">Version</th>
                {dashboardsBase !== undefined && <th scope="col">Dashboard</th>}
                {canAdmin && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {members.map((m) => {
                const st = endpointOf(m, endpoints)?.status;
                return (
                  <tr key={m.id} data-testid={testIds.cluster.member(m.id)}>
                    <td className={styles.mono}>{m.id}</td>
                    <td>{m.name || '(not started)'}</td>
                    <td className={styles.mono}>{(m.peer_urls ?? []).join(', ')}</td>
                    <td className={styles.mono}>{(m.client_urls ?? []).join(', ')}</td>
                    <td>{st ? (st.is_leader ? 'leader' : 'follower') : '—'}</td>
                    <td>{m.is_learner ? 'learner' : 'voter'}</td>
                    <td>{st ? formatBytes(st.db_size) : '—'}</td>
                    <td>{st?.raft_index ?? '—'}</td>
                    <td>{st?.version ?? '—'}</td>
                    {dashboardsBase !== undefined && (
                      <td>
                        {m.name && (
                          <LinkButton
                            size="sm"
                            variant="secondary"
                            fill="text"
                            icon="apps"
                            href={dashboardHref(dashboardsBase, DASHBOARD_UIDS.memberDetail, {
                              cluster: selected,
                              member: m.name,
                            })}
                            aria-label={`Member detail dashboard of ${m.name}`}
                          >
                            Member detail
                          </LinkButton>
                        )}
                      </td>
                    )}
                    {canAdmin && (
                      <td>
                        <Stack gap={1}>
                          {m.is_learner && (
                            <Button
                              size="sm"
                              variant="secondary"
                              onClick={() => askPromote(m)}
                              data-testid={testIds.cluster.promote(m.id)}
                            >
                              Promote
                            </Button>
                          )}
                          <Button
                            size="sm"
                            variant="destructive"
                            onClick={() => askRemove(m)}
                            data-testid={testIds.cluster.remove(m.id)}
                          >
                            Remove
                          </Button>
                        </Stack>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>

          {canAdmin && (
            <form onSubmit={askAddLearner} className={styles.add} aria-label="Add a learner">
              <Field label="Peer URLs of a new learner" description="Comma-separated, e.g. https://m4:2380">
                <Input
                  id="cluster-peer-urls"
                  value={peerUrls}
                  onChange={(e) => setPeerUrls(e.currentTarget.value)}
                  data-testid={testIds.cluster.peerUrls}
                />
              </Field>
              <Button type="submit" disabled={!peerUrls.trim()} data-testid={testIds.cluster.addLearner}>
                Add learner
              </Button>
            </form>
          )}

          <EndpointHealth current={current} />

          <h3 className={styles.heading}>Alarms</h3>
          {current.alarmsError && (
            <Alert severity="warning" title="Could not load the alarms" data-testid={testIds.cluster.alarmsError}>
              <FailureText f={current.alarmsError} />
            </Alert>
          )}
          {current.alarms && (
            <div data-testid={testIds.cluster.alarms}>
              {current.alarms.length === 0 ? (
                <p>No active alarms.</p>
              ) : (
                <ul className={styles.alarms}>
                  {current.alarms.map((a) => (
                    <li key={`${a.member_id} ${a.alarm}`}>
                      <Badge color="red" icon="exclamation-triangle" text={a.alarm} /> on {name(a.member_id)}{' '}
                      {canAdmin && (
                        <Button
                          size="sm"
                          variant="secondary"
                          onClick={() => askDisarm(a)}
                          data-testid={testIds.cluster.disarm(a.member_id, a.alarm)}
                        >
                          Disarm
                        </Button>
                      )}
                    </li>
                  ))}
                </ul>
              )}
              {canAdmin && current.alarms.length > 1 && (
                <Button variant="secondary" onClick={() => askDisarm()} data-testid={testIds.cluster.disarmAll}>
                  Disarm all
                </Button>
              )}
            </div>
          )}
        </>
      )}

      <ConfirmModal
        isOpen={pending !== undefined}
        title={pending?.title ?? ''}
        body={<div data-testid={testIds.cluster.confirm}>{pending?.body}</div>}
        confirmText={pending?.confirmText ?? 'Confirm'}
        onConfirm={confirm}
        onDismiss={() => setPending(undefined)}
      />
    </div>
  );
}

// EndpointHealth is what each member's endpoint answered: healthy, or its error and why.
function EndpointHealth({ current }: { current: Loaded }) {
  const styles = useStyles2(getStyles);
  return (
    <>
      <h3 className={styles.heading}>Endpoint health</h3>
      {current.endpointsError && (
        <Alert severity="warning" title="Could not check the endpoints" data-testid={testIds.cluster.endpointsError}>
          <FailureText f={current.endpointsError} />
        </Alert>
      )}
      {current.endpoints && (
        <table className={styles.table} data-testid={testIds.cluster.endpoints}>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Endpoint</th>
              <th scope="col">Health</th>
            </tr>
          </thead>
          <tbody>
            {current.endpoints.map((e) => (
              <tr key={e.endpoint} data-testid={testIds.cluster.endpoint(e.endpoint)}>
                <td>{e.member || e.id || '—'}</td>
                <td className={styles.mono}>{e.endpoint}</td>
                <td>
                  {e.healthy ? (
                    <Badge color="green" icon="check" text="healthy" />
                  ) : (
                    <>
                      <Badge color="red" icon="exclamation-triangle" text={e.reason ?? 'unhealthy'} />{' '}
                      {e.error ?? (e.alarms?.length ? `alarms: ${e.alarms.join(', ')}` : '')}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  ...getTableStyles(theme),
  toolbar: css({ display: 'flex', justifyContent: 'flex-end', gap: theme.spacing(1), marginBottom: theme.spacing(1) }),
  heading: css({ marginTop: theme.spacing(3) }),
  add: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'flex-end', marginTop: theme.spacing(2) }),
  alarms: css({ listStyle: 'none', padding: 0, li: { marginBottom: theme.spacing(0.5) } }),
});

export default Cluster;
