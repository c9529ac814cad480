import React, { type ReactNode } from 'react';
import type { Role } from '../api';
import { ROUTES } from '../constants';
import { Audit } from '../pages/Audit/Audit';
import { Backups } from '../pages/Backups/Backups';
import { Benchmarks } from '../pages/Benchmarks/Benchmarks';
import { Cluster } from '../pages/Cluster/Cluster';
import { CommandConsole } from '../pages/Console/CommandConsole';
import { Disk } from '../pages/Disk/Disk';
import { Jobs } from '../pages/Jobs/Jobs';
import { Keys } from '../pages/Keys/Keys';
import { Maintenance } from '../pages/Maintenance/Maintenance';
import { Overview } from '../pages/Overview/Overview';
import { Tokens } from '../pages/Tokens/Tokens';
import { Watch } from '../pages/Watch/Watch';
import type { Abilities } from './roles';

// ConsolePage is one page of the standalone console: its route under /ui/, the title in the
// navigation and the page heading, the least role that may open it, and the page component
// with what the role may do.
export type ConsolePage = {
  route: string;
  title: string;
  role: Role;
  render: (can: Abilities) => ReactNode;
};

// CONSOLE_PAGES are the console's pages in navigation order; the first is the landing page.
// Adding a page to the console is one entry here.
export const CONSOLE_PAGES: ConsolePage[] = [
  { route: ROUTES.Overview, title: 'Overview', role: 'viewer', render: () => <Overview /> },
  { route: ROUTES.Keys, title: 'Keys', role: 'viewer', render: (can) => <Keys canWrite={can.canWrite} /> },
  { route: ROUTES.Watch, title: 'Watch', role: 'viewer', render: () => <Watch /> },
  { route: ROUTES.Cluster, title: 'Cluster', role: 'viewer', render: (can) => <Cluster canAdmin={can.canAdmin} /> },
  {
    route: ROUTES.Maintenance,
    title: 'Maintenance',
    role: 'viewer',
    render: (can) => <Maintenance canAdmin={can.canAdmin} />,
  },
  { route: ROUTES.Jobs, title: 'Jobs', role: 'viewer', render: (can) => <Jobs canAdmin={can.canAdmin} /> },
  { route: ROUTES.Console, title: 'Console', role: 'viewer', render: () => <CommandConsole /> },
  {
    route: ROUTES.Benchmarks,
    title: 'Benchmarks',
    role: 'viewer',
    render: (can) => <Benchmarks canAdmin={can.canAdmin} />,
  },
  { route: ROUTES.Disk, title: 'Disk', role: 'viewer', render: (can) => <Disk canAdmin={can.canAdmin} /> },
  // Backups hold every secret of a cluster: opsproxy answers them to admins only.
  { route: ROUTES.Backups, title: 'Backups', role: 'admin', render: (can) => <Backups canAdmin={can.canAdmin} /> },
  { route: ROUTES.Audit, title: 'Audit', role: 'viewer', render: (can) => <Audit canVerify={can.canVerify} /> },
  { route: ROUTES.Tokens, title: 'Tokens', role: 'admin', render: (can) => <Tokens canAdmin={can.canAdmin} /> },
];
