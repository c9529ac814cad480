import React, { useEffect, useState } from 'react';
import { Alert, Button, Checkbox, ConfirmModal, useStyles2 } from '@grafana/ui';
import { useApi } from '../../api';
import { testIds } from '../../components/testIds';
import { failure, FailureText, type Failure } from '../failure';
import { getStyles } from './styles';

type Outcome = { kind: 'cleared'; count: number } | { kind: 'error'; what: string; error: Failure };

// HistorySettings are the user's own console history controls: whether a put's value is kept in
// the stored line (off: redacted), and clearing every stored line (after a confirmation).
// onCleared lets the page forget the lines it holds too.
export function HistorySettings({ onCleared }: { onCleared: () => void }) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [keepValues, setKeepValues] = useState<boolean | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    api.consoleSettings().then(
      (s) => !cancelled && setKeepValues(s.keep_values),
      (err) =>
        !cancelled && setOutcome({ kind: 'error', what: 'Could not read your console settings', error: failure(err) })
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  const toggle = async (keep: boolean) => {
    setOutcome(undefined);
    try {
      setKeepValues((await api.setConsoleSettings({ keep_values: keep })).keep_values);
    } catch (err) {
      setOutcome({ kind: 'error', what: 'Could not change your console settings', error: failure(err) });
    }
  };

  const clear = async () => {
    setConfirming(false);
    setOutcome(undefined);
    try {
      const count = await api.clearConsoleHistory();
      onCleared();
      setOutcome({ kind: 'cleared', count });
    } catch (err) {
      setOutcome({ kind: 'error', what: 'Could not clear your history', error: failure(err) });
    }
  };

  return (
    <>
      <Checkbox
        label="Keep put values in my history"
        description="off: a put's value is left out of the stored line"
        value={keepValues ?? false}
        disabled={keepValues === undefined}
        onChange={(e) => void toggle(e.currentTarget.checked)}
        data-testid={testIds.etcdctl.keepValues}
      />
      <Button
        variant="secondary"
        icon="history"
        onClick={() => setConfirming(true)}
        data-testid={testIds.etcdctl.clearHistory}
      >
        Clear history…
      </Button>
      {outcome?.kind === 'cleared' && (
        <Alert
          severity="success"
          title={`Deleted ${outcome.count} line${outcome.count === 1 ? '' : 's'} of your history.`}
          onRemove={() => setOutcome(undefined)}
          className={styles.wide}
          data-testid={testIds.etcdctl.historyCleared}
        />
      )}
      {outcome?.kind === 'error' && (
        <Alert
          severity="error"
          title={outcome.what}
          onRemove={() => setOutcome(undefined)}
          className={styles.wide}
          data-testid={testIds.etcdctl.settingsError}
        >
          <FailureText f={outcome.error} />
        </Alert>
      )}
      <ConfirmModal
        isOpen={confirming}
        title="Clear your console history?"
        body="Every line of your console history is deleted, on every cluster, also the history etcd-monitor ctl shows you. The audit log keeps its records."
        confirmText="Clear history"
        onConfirm={() => void clear()}
        onDismiss={() => setConfirming(false)}
      />
    </>
  );
}
