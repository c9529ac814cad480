import React, { useCallback, useEffect, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, ConfirmModal, useStyles2 } from '@grafana/ui';
import { BACKUP_JOB_KINDS, useApi, type Schedule } from '../../api';
import { testIds } from '../../components/testIds';
import { ClusterPage } from '../ClusterPage';
import { LoadingOrError, partTestIds } from '../LoadingOrError';
import { useClusterPage } from '../useClusterPage';
import { useLoad } from '../useLoad';
import { BackupDetail } from './BackupDetail';
import { BackupJobs } from './BackupJobs';
import { BackupTable } from './BackupTable';
import { LocationEvents } from './LocationEvents';
import { LocationList } from './LocationList';
import { useBackupJobs, type JobRequest } from './useBackupJobs';

// BACKUPS_LIMIT is how many of a location's backups the page reads.
export const BACKUPS_LIMIT = 200;

// Backups: a cluster's backup locations with their schedules, retention and whether they are
// encrypted or filled by another tool; a location's backups with their verification and drill,
// and its latest events (a failed backup leaves only its event); one backup in a drawer with its record and events. An admin backs up (or inspects an external
// location) now, verifies, drills, downloads, and restores a verified backup into a new data
// directory, each after a confirmation, and follows the jobs. opsproxy answers backups to admins
// of the cluster only. The cluster, location and open backup are in the URL (?cluster=,
// ?location=, ?backup=).
export function Backups({ canAdmin = false }: { canAdmin?: boolean }) {
  const page = useClusterPage();
  const { cluster } = page;
  return (
    <ClusterPage page={page} pickerId="backups-cluster" testIds={testIds.backups}>
      {canAdmin ? (
        <ClusterBackups
          key={cluster}
          cluster={cluster}
          location={page.param('location')}
          open={page.param('backup')}
          set={page.set}
        />
      ) : (
        <Alert severity="info" title="Backups are for admins" data-testid={testIds.backups.notAdmin}>
          A backup holds every key of the cluster, secrets included: only an admin of the cluster may list, download or
          restore its backups.
        </Alert>
      )}
    </ClusterPage>
  );
}

type ClusterProps = {
  cluster: string;
  location: string;
  open: string;
  set: (changes: Record<string, string>) => void;
};

// ClusterBackups is the page for one cluster; the page keys it by the cluster, so another
// cluster starts from fresh state (and the jobs of the one before are no longer followed).
function ClusterBackups({ cluster, location, open, set }: ClusterProps) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  // reload counts the page's jobs that ended: the list and the open backup are read again.
  const [reload, setReload] = useState(0);
  const [pending, setPending] = useState<JobRequest>();
  const jobs = useBackupJobs(
    cluster,
    useCallback(() => setReload((n) => n + 1), [])
  );

  // The schedules' state (paused, last fired) is a nicety: without it the locations still show.
  const [schedules, setSchedules] = useState<Schedule[]>();
  useEffect(() => {
    let cancelled = false;
    api.listSchedules({ cluster }).then(
      (page) =>
        !cancelled &&
        setSchedules(page.schedules.filter((s) => (BACKUP_JOB_KINDS as readonly string[]).includes(s.kind))),
      () => !cancelled && setSchedules(undefined)
    );
    return () => {
      cancelled = true;
    };
  }, [api, cluster, reload]);

  const locations = useLoad(useCallback(() => api.listBackupLocations(cluster), [api, cluster]));
  const known = locations.current?.value ?? [];
  // The location in the URL, or the first; one the cluster no longer has shows no backups.
  const selected = location || known[0]?.name || '';
  const selectedLocation = known.find((l) => l.name === selected);

  // After a job ends the list as last read stays while it is read again; another location or a
  // retry shows loading.
  const loadBackups = useCallback(
    () => api.listBackups(cluster, { location: selected, limit: BACKUPS_LIMIT }),
    [api, cluster, selected]
  );
  const backups = useLoad(selectedLocation ? loadBackups : undefined, reload);

  const ask = (req: JobRequest) => setPending(req);
  const confirm = async () => {
    const req = pending;
    setPending(undefined);
    if (req) {
      await jobs.start(req);
    }
  };

  return (
    <>
      <LoadingOrError
        load={locations}
        loadingText="Loading the backup locations…"
        errorTitle="Could not load the cluster's backup locations"
        testIds={partTestIds(testIds.backups, 'locations')}
      />
      {locations.current?.value?.length === 0 && (
        <Alert severity="info" title="No backup location" data-testid={testIds.backups.noLocations}>
          Cluster {cluster} has no backup location: add one under <code>backups.clusters.{cluster}</code> in
          opsproxy&apos;s configuration (docs/backups.md), with a schedule, and reload it.
        </Alert>
      )}
      {known.length > 0 && (
        <LocationList
          locations={known}
          schedules={schedules}
          selected={selected}
          onSelect={(name) => set({ location: name, backup: '' })}
        />
      )}
      {locations.current?.value && location && !selectedLocation && (
        <Alert severity="warning" title={`No location ${location}`}>
          Cluster {cluster} has no backup location {location} now.
        </Alert>
      )}
      {selectedLocation && (
        <section aria-labelledby="backups-location-title" className={styles.section}>
          <h3 id="backups-location-title">Backups in {selectedLocation.name}</h3>
          <div className={styles.buttons}>
            {selectedLocation.external ? (
              <Button
                onClick={() =>
                  ask({
                    kind: 'backup-inspect',
                    parameters: { location: selectedLocation.name },
                    title: `Inspect ${selectedLocation.name}`,
                  })
                }
                data-testid={testIds.backups.inspectNow}
              >
                Inspect now
              </Button>
            ) : (
              <Button
                onClick={() =>
                  ask({
                    kind: 'backup',
                    parameters: { location: selectedLocation.name },
                    title: `Back up ${cluster} to ${selectedLocation.name}`,
                  })
                }
                data-testid={testIds.backups.backupNow}
              >
                Back up now
              </Button>
            )}
          </div>
          <BackupJobs jobs={jobs.jobs} startError={jobs.error} />
          <LoadingOrError
            load={backups}
            loadingText="Loading the backups…"
            errorTitle={`Could not list the backups in ${selectedLocation.name}`}
            testIds={partTestIds(testIds.backups, 'list')}
          />
          {backups.current?.value?.length === 0 && (
            <p data-testid={testIds.backups.listEmpty}>
              No backup in {selectedLocation.name} yet
              {selectedLocation.external ? '.' : ': back up now, or wait for the schedule.'}
            </p>
          )}
          {backups.current?.value && backups.current.value.length > 0 && (
            <BackupTable backups={backups.current.value} open={open} onOpen={(name) => set({ backup: name })} />
          )}
          <LocationEvents
            key={selectedLocation.name}
            cluster={cluster}
            location={selectedLocation.name}
            reload={reload}
          />
        </section>
      )}
      {selectedLocation && open && (
        <BackupDetail
          key={`${selectedLocation.name}\n${open}`}
          cluster={cluster}
          location={selectedLocation.name}
          name={open}
          canAdmin
          reload={reload}
          onClose={() => set({ backup: '' })}
          onVerify={() =>
            ask({
              kind: 'backup-verify',
              parameters: { location: selectedLocation.name, name: open },
              title: `Verify ${open}`,
            })
          }
          onDrill={() =>
            ask({
              kind: 'backup-drill',
              parameters: { location: selectedLocation.name, name: open },
              title: `Drill ${open}`,
            })
          }
          onRestore={(r) =>
            void jobs.start({
              kind: 'backup-restore',
              parameters: { location: selectedLocation.name, name: open, ...r },
              title: `Restore ${open} into ${r.data_dir}`,
            })
          }
        />
      )}
      <ConfirmModal
        isOpen={pending !== undefined}
        title={`${pending?.title ?? ''}?`}
        body={<div data-testid={testIds.backups.confirm}>{pending && explain(pending, cluster)}</div>}
        confirmText="Start"
        onConfirm={confirm}
        onDismiss={() => setPending(undefined)}
      />
    </>
  );
}

// explain says what a job will do, in its confirmation.
function explain(req: JobRequest, cluster: string): string {
  const where = String(req.parameters.location ?? '');
  const name = String(req.parameters.name ?? '');
  switch (req.kind) {
    case 'backup':
      return `Streams a snapshot of ${cluster} from a healthy member (a follower first) into ${where}, verifies the stored copy, then applies the location's retention (the newest verified backup is always kept).`;
    case 'backup-inspect':
      return `Lists ${where}, which another tool fills, and verifies its newest backup.`;
    case 'backup-verify':
      return `Reads ${name} back from ${where} and checks its digests and etcd's snapshot status.`;
    case 'backup-drill':
      return `Restores ${name} into a scratch data directory, starts a throwaway member from it on a loopback port and checks its revision, HashKV and key count against the record, then removes it. No running member is touched.`;
    default:
      return req.title;
  }
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({ marginTop: theme.spacing(2) }),
  buttons: css({ display: 'flex', gap: theme.spacing(1), marginBottom: theme.spacing(1) }),
});

export default Backups;
