import React, { act, type ReactNode } from 'react';
import { render, renderHook, screen } from '@testing-library/react';
import { ApiProvider } from '../../api';
import { fakeTransport } from '../../api/fakeTransport';
import { testIds } from '../../components/testIds';
import { Scrollback } from './Scrollback';
import { MAX_RUNS, useRuns } from './useRuns';

describe('the scrollback', () => {
  test(`keeps the newest ${MAX_RUNS} runs and counts the ones let go until cleared`, async () => {
    const t = fakeTransport({ 'POST /clusters/prod/console': { stdout: 'ok\n' } });
    const wrapper = ({ children }: { children: ReactNode }) => <ApiProvider transport={t}>{children}</ApiProvider>;
    const { result } = renderHook(() => useRuns(), { wrapper });
    for (let i = 0; i < MAX_RUNS + 3; i++) {
      await act(() => result.current.run('prod', `get /k${i}`));
    }
    expect(result.current.runs).toHaveLength(MAX_RUNS);
    expect(result.current.runs[0].line).toBe('get /k3');
    expect(result.current.runs[MAX_RUNS - 1]).toMatchObject({ line: `get /k${MAX_RUNS + 2}`, state: 'done' });
    expect(result.current.dropped).toBe(3);
    expect(result.current.busy).toBe(false);
    act(() => result.current.clear());
    expect(result.current.runs).toEqual([]);
    expect(result.current.dropped).toBe(0);
  });

  test('says how many older runs were let go', () => {
    render(<Scrollback runs={[{ seq: 9, cluster: 'prod', line: 'get /a', state: 'running' }]} dropped={2} />);
    expect(screen.getByTestId(testIds.etcdctl.dropped)).toHaveTextContent(
      `2 older runs let go: the page keeps the last ${MAX_RUNS}.`
    );
    expect(screen.getByTestId(testIds.etcdctl.running)).toHaveTextContent('Running…');
  });
});
