// The app's webpack configuration: create-plugin's generated one (.config/webpack, left as
// generated), extended as create-plugin documents, with the dashboards the app ships. They are
// copied at build time from ../dashboards/json, where `make dashboards` renders them from Go
// code, so that there is one source of them; plugin.json's includes name them.
import CopyWebpackPlugin from 'copy-webpack-plugin';
import path from 'path';
import type { Configuration } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';

// DASHBOARDS_DIR is where the rendered dashboards are; dist/dashboards is where plugin.json's
// includes of type dashboard point.
const DASHBOARDS_DIR = path.resolve(process.cwd(), '..', 'dashboards', 'json');

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    plugins: [
      ...(base.plugins ?? []),
      new CopyWebpackPlugin({
        patterns: [{ from: '*.json', context: DASHBOARDS_DIR, to: 'dashboards/[name][ext]' }],
      }),
    ],
  };
};

export default config;
