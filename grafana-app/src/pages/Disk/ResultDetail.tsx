import React, { useCallback, useState } from 'react';
import { Badge, Button, useStyles2 } from '@grafana/ui';
import { useApi, type DiskComparison } from '../../api';
import { testIds } from '../../components/testIds';
import { failure, FailureText } from '../failure';
import { formatBytes } from '../format';
import { LoadingOrError, partTestIds } from '../LoadingOrError';
import { getTableStyles } from '../tableStyles';
import { useLoad } from '../useLoad';
import { iops, latency, ratio, verdictColor, when } from './format';
import { LatencyBars } from './LatencyBars';

type Props = { cluster: string; id: string; canAdmin: boolean };

// PERCENTILES are the sync percentiles a result holds, in order.
const PERCENTILES = ['50', '90', '99', '99.9'];

// ResultDetail shows one result in full: its verdict against the line, its percentiles, IOPS,
// the filesystem it measured and the warnings, the latency histogram; an admin may make it
// its member's baseline, and anyone may compare it with that baseline.
export function ResultDetail({ cluster, id, canAdmin }: Props) {
  const api = useApi();
  const styles = useStyles2(getTableStyles);
  const [comparison, setComparison] = useState<DiskComparison>();
  const [message, setMessage] = useState<React.ReactNode>();
  // The page keys this component by the result, so another result starts from fresh state.
  const load = useLoad(useCallback(() => api.getDiskTest(id), [api, id]));
  const test = load.current?.value;

  if (!test) {
    return (
      <LoadingOrError
        load={load}
        loadingText="Loading the result…"
        errorTitle="Could not load the result"
        testIds={partTestIds(testIds.disk, 'detail')}
      />
    );
  }
  const r = test.result;
  const threshold = r?.threshold || test.threshold;
  const p99 = r?.sync?.percentiles?.['99'] ?? test.p99;

  const setBaseline = async () => {
    try {
      const b = await api.setDiskBaseline(cluster, test.member, test.id);
      setMessage(<>This result is now the baseline of {b.member}.</>);
    } catch (e) {
      setMessage(<FailureText f={failure(e)} />);
    }
  };
  const compareBaseline = async () => {
    try {
      setComparison(await api.compareDiskTest(test.id, { baseline: test.member }));
      setMessage(undefined);
    } catch (e) {
      setComparison(undefined);
      setMessage(<FailureText f={failure(e)} />);
    }
  };

  return (
    <section data-testid={testIds.disk.detail} aria-labelledby="disk-detail-title">
      <h3 id="disk-detail-title">
        {test.member}: {test.engine} {test.profile} probe, {when(test.started_at)}
      </h3>
      <div data-testid={testIds.disk.verdict}>
        <Badge color={verdictColor(test.verdict)} text={test.verdict} /> p99 {latency(p99)} against the{' '}
        {latency(threshold)} line
        {r?.verdict_reason ? <>: {r.verdict_reason}</> : <> ({((p99 / threshold) * 100).toFixed(0)} % of it)</>}
        {test.partial && (
          <>
            {' '}
            <Badge color="orange" text="partial" /> {r?.reason}
          </>
        )}
      </div>
      {r && (
        <>
          <table className={styles.table} data-testid={testIds.disk.figures}>
            <caption className={styles.caption}>fdatasync latency</caption>
            <thead>
              <tr>
                {PERCENTILES.map((p) => (
                  <th key={p} scope="col">
                    p{p}
                  </th>
                ))}
                <th scope="col">max</th>
                <th scope="col">mean</th>
                <th scope="col">IOPS</th>
                <th scope="col">syncs</th>
                <th scope="col">written</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                {PERCENTILES.map((p) => (
                  <td key={p}>{latency(r.sync?.percentiles?.[p])}</td>
                ))}
                <td>{latency(r.sync?.max)}</td>
                <td>{latency(r.sync?.mean)}</td>
                <td>{iops(r.iops)}</td>
                <td>{(r.syncs ?? 0).toLocaleString('en-US')}</td>
                <td>{formatBytes(r.bytes)}</td>
              </tr>
            </tbody>
          </table>
          <p data-testid={testIds.disk.filesystem}>
            Measured on {r.filesystem?.type || 'an unknown filesystem'}
            {r.filesystem?.device && <> ({r.filesystem.device}</>}
            {r.filesystem?.mount_point && <> mounted at {r.filesystem.mount_point}</>}
            {r.filesystem?.device && <>)</>}
            {r.host && <> on {r.host}</>}, {formatBytes(r.filesystem?.free_bytes)} free before the probe; block{' '}
            {r.job?.block_size?.toLocaleString('en-US')} B, {formatBytes(r.job?.size)}.
          </p>
          {r.warnings && r.warnings.length > 0 && (
            <ul data-testid={testIds.disk.warnings} aria-label="warnings">
              {r.warnings.map((w) => (
                <li key={w}>
                  <Badge color="orange" text="warning" /> {w}
                </li>
              ))}
            </ul>
          )}
          {r.member && (
            <p>
              {r.member.error
                ? `The member's own WAL fsync latency could not be read: ${r.member.error}`
                : `The member's own WAL fsync p99 over the probe: ${latency(r.member.p99)} (${r.member.fsyncs} fsyncs).`}
            </p>
          )}
          <LatencyBars result={r} />
        </>
      )}
      <div>
        {canAdmin && (
          <Button variant="secondary" onClick={setBaseline} data-testid={testIds.disk.setBaseline}>
            Set as {test.member}&apos;s baseline
          </Button>
        )}{' '}
        <Button variant="secondary" onClick={compareBaseline} data-testid={testIds.disk.compareBaseline}>
          Compare with {test.member}&apos;s baseline
        </Button>
        {message && (
          <div data-testid={testIds.disk.baselineMessage} role="status">
            {message}
          </div>
        )}
      </div>
      {comparison && (
        <div data-testid={testIds.disk.comparison} role="status">
          <Badge
            color={comparison.verdict === 'slower' ? 'red' : comparison.verdict === 'faster' ? 'green' : 'blue'}
            text={
              comparison.verdict === 'unchanged'
                ? 'unchanged from the baseline'
                : `${comparison.verdict} than the baseline`
            }
          />{' '}
          (the {comparison.reference.engine} result of {when(comparison.reference.started_at)}): p50{' '}
          {ratio(comparison.p50_ratio)}, p99 {ratio(comparison.p99_ratio)}; unchanged within ±15 %.
        </div>
      )}
    </section>
  );
}
