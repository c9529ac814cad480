export * from './types';
export * from './transport';
export * from './client';
export * from './whoami';
export * from './context';
export { grafanaTransport, RESOURCES_BASE } from './grafanaTransport';
export { consoleTransport } from './consoleTransport';
export * from './watch';
export * from './tokens';
