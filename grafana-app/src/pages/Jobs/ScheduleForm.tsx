import React, { useState, type FormEvent } from 'react';
import { Alert, Button, Field, Input, useStyles2 } from '@grafana/ui';
import { JOB_KINDS, useApi, type Cluster, type JobKind, type Schedule } from '../../api';
import { testIds } from '../../components/testIds';
import { failure, FailureText, type Failure } from '../failure';
import { EMPTY_PARAMETERS, KindParameters, toParameters, type ParameterDraft } from './KindParameters';
import { getStyles } from './styles';

type Props = { clusters: Cluster[]; onCreated: (s: Schedule) => void; onCancel: () => void };

// ScheduleForm creates a schedule: a name, the kind and its parameters, the cluster, a cron
// expression and its time zone. opsproxy checks the cron expression and the parameters; its
// answer (a 400 naming the field) is shown as it is.
export function ScheduleForm({ clusters, onCreated, onCancel }: Props) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<JobKind>('snapshot');
  // The cluster chosen, else the first (the list may arrive after the form opens).
  const [chosen, setCluster] = useState('');
  const cluster = chosen || clusters[0]?.name || '';
  const [cron, setCron] = useState('');
  const [timezone, setTimezone] = useState('');
  const [params, setParams] = useState<ParameterDraft>(EMPTY_PARAMETERS);
  const [problem, setProblem] = useState<Failure | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    for (const [field, v] of [
      ['Name', name],
      ['Cluster', cluster],
      ['Cron', cron],
    ]) {
      if (!v.trim()) {
        setProblem({ message: `${field}: must not be empty.` });
        return;
      }
    }
    setBusy(true);
    setProblem(undefined);
    try {
      const s = await api.createSchedule({
        name: name.trim(),
        kind,
        cluster,
        cron: cron.trim(),
        timezone: timezone.trim() || undefined,
        parameters: toParameters(kind, params),
      });
      onCreated(s);
    } catch (err) {
      setProblem(failure(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className={styles.form} onSubmit={submit} data-testid={testIds.jobs.scheduleForm} aria-label="New schedule">
      <Field label="Name">
        <Input
          id="jobs-schedule-name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          data-testid={testIds.jobs.scheduleName}
        />
      </Field>
      <Field label="Kind">
        <select
          id="jobs-schedule-kind"
          className={styles.select}
          value={kind}
          onChange={(e) => setKind(e.currentTarget.value as JobKind)}
          data-testid={testIds.jobs.scheduleKind}
        >
          {JOB_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Cluster">
        <select
          id="jobs-schedule-cluster"
          className={styles.select}
          value={cluster}
          onChange={(e) => setCluster(e.currentTarget.value)}
          data-testid={testIds.jobs.scheduleCluster}
        >
          {clusters.length === 0 && <option value="">—</option>}
          {clusters.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
      </Field>
      <Field
        label="Cron"
        description="Five fields: minute hour day-of-month month day-of-week, e.g. 0 3 * * * (03:00 daily)."
      >
        <Input
          id="jobs-schedule-cron"
          value={cron}
          onChange={(e) => setCron(e.currentTarget.value)}
          placeholder="0 3 * * *"
          data-testid={testIds.jobs.scheduleCron}
        />
      </Field>
      <Field label="Time zone" description="An IANA name such as Europe/Berlin; empty: opsproxy's default.">
        <Input
          id="jobs-schedule-timezone"
          value={timezone}
          onChange={(e) => setTimezone(e.currentTarget.value)}
          placeholder="UTC"
          data-testid={testIds.jobs.scheduleTimezone}
        />
      </Field>
      <KindParameters kind={kind} value={params} onChange={setParams} />
      {problem && (
        <Alert severity="error" title="Could not create the schedule" data-testid={testIds.jobs.scheduleFormError}>
          <FailureText f={problem} />
        </Alert>
      )}
      <div className={styles.actions}>
        <Button type="submit" disabled={busy} data-testid={testIds.jobs.scheduleSubmit}>
          Create schedule
        </Button>
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
