import React, { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Tab, TabsBar } from '@grafana/ui';
import { useApi, type Cluster } from '../../api';
import { testIds } from '../../components/testIds';
import { JobDetail } from './JobDetail';
import { JobList } from './JobList';
import { Schedules } from './Schedules';

// Jobs: the long operations (defragmentations, snapshots) with their progress and results, and
// the schedules that start them. Everything is in the URL: ?tab=schedules, ?job=<id> for one
// job, and the list's filters and page. Viewers see; canAdmin (the role both kinds need) may
// cancel jobs and change schedules.
export function Jobs({ canAdmin = false }: { canAdmin?: boolean }) {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'schedules' ? 'schedules' : 'jobs';
  const job = params.get('job') ?? '';
  const [clusters, setClusters] = useState<Cluster[]>([]);

  useEffect(() => {
    let cancelled = false;
    api.listClusters().then(
      (cs) => !cancelled && setClusters(cs),
      // The filters and the schedule form then offer only what the URL holds; the lists say
      // what failed when they fail too.
      () => undefined
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  const openJob = (id: string) => {
    const next = new URLSearchParams(params);
    next.delete('tab');
    next.set('job', id);
    setParams(next);
  };
  const showTab = (t: 'jobs' | 'schedules') => {
    const next = new URLSearchParams(t === 'schedules' ? { tab: t } : {});
    setParams(next);
  };
  const closeJob = () => {
    const next = new URLSearchParams(params);
    next.delete('job');
    setParams(next);
  };

  return (
    <div data-testid={testIds.jobs.page}>
      <TabsBar>
        <Tab
          label="Jobs"
          active={tab === 'jobs'}
          onChangeTab={() => showTab('jobs')}
          data-testid={testIds.jobs.tabJobs}
        />
        <Tab
          label="Schedules"
          active={tab === 'schedules'}
          onChangeTab={() => showTab('schedules')}
          data-testid={testIds.jobs.tabSchedules}
        />
      </TabsBar>
      {tab === 'jobs' && job && <JobDetail key={job} id={job} canAdmin={canAdmin} onBack={closeJob} />}
      {tab === 'jobs' && !job && <JobList clusters={clusters} />}
      {tab === 'schedules' && <Schedules canAdmin={canAdmin} clusters={clusters} onOpenJob={openJob} />}
    </div>
  );
}

export default Jobs;
