import React, { useEffect, useState, type FormEvent } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  ConfirmModal,
  Field,
  Input,
  LoadingPlaceholder,
  RadioButtonGroup,
  useStyles2,
} from '@grafana/ui';
import { useApi } from '../../api';
import { testIds } from '../../components/testIds';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { failure, FailureText, type Failure } from '../failure';
import { getStyles } from './styles';
import { describePlan, planCompaction, type CompactMode } from './compaction';

type Revision = { kind: 'loading' } | { kind: 'loaded'; revision: number } | { kind: 'error'; error: Failure };

// What the read of attempt answered; a newer attempt shows as loading until it answers.
type Loaded = Exclude<Revision, { kind: 'loading' }> & { attempt: number };

type Outcome = { kind: 'done'; message: string } | { kind: 'error'; error: Failure };

const MODES: Array<{ label: string; value: CompactMode }> = [
  { label: 'Keep the last N revisions', value: 'keep' },
  { label: 'To a revision', value: 'revision' },
];

// Compaction: the cluster's current revision (from the header of a read) and, for an admin, a
// compaction to a revision or keeping the last N, confirmed with what it removes.
export function Compaction({ cluster, canAdmin }: { cluster: string; canAdmin: boolean }) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [attempt, setAttempt] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [mode, setMode] = useState<CompactMode>('keep');
  const [value, setValue] = useState('');
  const [physical, setPhysical] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    api.currentRevision(cluster).then(
      (r) => !cancelled && setLoaded({ attempt, kind: 'loaded', revision: r }),
      (err) => !cancelled && setLoaded({ attempt, kind: 'error', error: failure(err) })
    );
    return () => {
      cancelled = true;
    };
  }, [api, cluster, attempt]);
  const revision: Revision = loaded?.attempt === attempt ? loaded : { kind: 'loading' };
  const load = () => setAttempt((n) => n + 1);

  const current = revision.kind === 'loaded' ? revision.revision : 0;
  const plan = value.trim() === '' ? undefined : planCompaction(mode, value, current);

  const ask = (e: FormEvent) => {
    e.preventDefault();
    if (plan?.ok) {
      setConfirming(true);
    }
  };
  const run = async () => {
    setConfirming(false);
    if (!plan?.ok) {
      return;
    }
    try {
      const target = mode === 'keep' ? { keep: Number(value.trim()) } : { revision: plan.to };
      const r = await api.compact(cluster, target, physical);
      setOutcome({ kind: 'done', message: `Compacted ${cluster} to revision ${r.compacted_to}.` });
      setValue('');
      load();
    } catch (err) {
      setOutcome({ kind: 'error', error: failure(err) });
    }
  };

  return (
    <section className={styles.section} aria-labelledby="maintenance-compaction">
      <h3 id="maintenance-compaction">Compaction</h3>
      {revision.kind === 'loading' && <LoadingPlaceholder text="Reading the current revision…" />}
      {revision.kind === 'error' && (
        <ErrorWithRetry
          title="Could not read the current revision"
          failure={<FailureText f={revision.error} />}
          onRetry={load}
          testId={testIds.maintenance.revisionError}
        />
      )}
      {revision.kind === 'loaded' && (
        <p data-testid={testIds.maintenance.revision}>
          Current revision of {cluster}: <strong>{revision.revision}</strong>{' '}
          <Button size="sm" variant="secondary" icon="sync" onClick={load}>
            Refresh
          </Button>
        </p>
      )}
      {outcome?.kind === 'done' && (
        <Alert
          severity="success"
          title={outcome.message}
          onRemove={() => setOutcome(undefined)}
          data-testid={testIds.maintenance.compactDone}
        />
      )}
      {outcome?.kind === 'error' && (
        <Alert
          severity="error"
          title="Compaction failed"
          onRemove={() => setOutcome(undefined)}
          data-testid={testIds.maintenance.compactError}
        >
          <FailureText f={outcome.error} />
        </Alert>
      )}
      {canAdmin && revision.kind === 'loaded' && (
        <form onSubmit={ask} aria-label="Compact" className={styles.form}>
          <Field label="Compact">
            <RadioButtonGroup
              options={MODES}
              value={mode}
              onChange={(m) => {
                setMode(m);
                setValue('');
              }}
            />
          </Field>
          <Field
            label={mode === 'keep' ? 'Revisions to keep' : 'Revision'}
            invalid={plan !== undefined && !plan.ok}
            error={plan && !plan.ok ? plan.error : undefined}
          >
            <Input
              id="maintenance-compact-value"
              inputMode="numeric"
              width={20}
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
              data-testid={testIds.maintenance.compactValue}
            />
          </Field>
          <Checkbox
            label="Physical"
            description="Wait until the compaction is applied to the backend database before answering"
            value={physical}
            onChange={(e) => setPhysical(e.currentTarget.checked)}
          />
          {plan?.ok && (
            <p className={styles.note} data-testid={testIds.maintenance.compactPlan}>
              {describePlan(mode, plan)}
            </p>
          )}
          <div>
            <Button type="submit" variant="destructive" disabled={!plan?.ok} data-testid={testIds.maintenance.compact}>
              Compact
            </Button>
          </div>
        </form>
      )}
      <ConfirmModal
        isOpen={confirming}
        title={plan?.ok ? `Compact ${cluster} to revision ${plan.to}?` : 'Compact?'}
        body={
          <div data-testid={testIds.maintenance.confirm}>
            {plan?.ok && describePlan(mode, plan)}
            {physical && ' The call waits until the compaction is applied to the backend.'}
          </div>
        }
        confirmText="Compact"
        onConfirm={run}
        onDismiss={() => setConfirming(false)}
      />
    </section>
  );
}
