// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';
import { configure } from '@testing-library/react';

// The pages' tests render whole pages and wait for their answers; on a loaded 2-core CI machine
// React Testing Library's 1 s default for findBy*/waitFor is too short. Jest's own per-test
// limit is raised to match in jest.config.js. These are limits, not timings: nothing asserts on
// how long anything took.
configure({ asyncUtilTimeout: 5000 });
