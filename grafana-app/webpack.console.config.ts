// The standalone console's bundle (src/console/index.tsx), served by opsproxy at /ui/. Unlike
// the plugin's bundle (.config/webpack), nothing is external: React, @grafana/ui and the rest
// are bundled, since no Grafana provides them. Output: index.html (no inline script, so the
// Content-Security-Policy needs no 'unsafe-inline' for scripts), content-hashed files under
// static/, and @grafana/ui's icons under public/. `npm run build:console` writes it where
// opsproxy embeds it; --env out=<dir> writes it elsewhere.
import CopyWebpackPlugin from 'copy-webpack-plugin';
import path from 'path';
import TerserPlugin from 'terser-webpack-plugin';
import webpack, { type Configuration } from 'webpack';

const BASE = '/ui/';
const ENTRY = 'console';

// IndexHtmlPlugin writes index.html naming the entry's hashed scripts and styles.
class IndexHtmlPlugin {
  apply(compiler: webpack.Compiler) {
    compiler.hooks.thisCompilation.tap('IndexHtmlPlugin', (compilation) => {
      compilation.hooks.processAssets.tap(
        { name: 'IndexHtmlPlugin', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_SUMMARIZE },
        () => {
          const files = [...(compilation.entrypoints.get(ENTRY)?.getFiles() ?? [])];
          const tags = [
            ...files.filter((f) => f.endsWith('.css')).map((f) => `<link rel="stylesheet" href="${BASE}${f}">`),
            ...files.filter((f) => f.endsWith('.js')).map((f) => `<script defer src="${BASE}${f}"></script>`),
          ];
          const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>etcd-monitor console</title>
<link rel="icon" href="${BASE}favicon.svg" type="image/svg+xml">
${tags.join('\n')}
</head>
<body>
<noscript>The etcd-monitor console needs JavaScript.</noscript>
<div id="root"></div>
</body>
</html>
`;
          compilation.emitAsset('index.html', new webpack.sources.RawSource(html));
        }
      );
    });
  }
}

type Env = { production?: boolean; out?: string };

const config = (env: Env): Configuration => {
  const production = Boolean(env.production);
  return {
    cache: {
      type: 'filesystem',
      name: `console-${production ? 'production' : 'development'}`,
      buildDependencies: { config: [path.resolve(process.cwd(), 'webpack.console.config.ts')] },
    },
    context: path.join(process.cwd(), 'src'),
    entry: { [ENTRY]: './console/index.tsx' },
    mode: production ? 'production' : 'development',
    devtool: production ? false : 'source-map',
    module: {
      rules: [
        {
          exclude: /node_modules/,
          test: /\.[tj]sx?$/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: {
                target: 'es2020',
                parser: { syntax: 'typescript', tsx: true, decorators: false, dynamicImport: true },
                transform: { react: { runtime: 'classic' } },
              },
            },
          },
        },
        { test: /\.m?js$/, resolve: { fullySpecified: false } },
        { test: /\.css$/, use: ['style-loader', 'css-loader'] },
        {
          test: /\.(png|jpe?g|gif|svg|woff2?|eot|ttf|otf)$/,
          type: 'asset/resource',
          generator: { filename: 'static/media/[name].[contenthash:12][ext]' },
        },
      ],
    },
    optimization: {
      minimize: production,
      minimizer: [new TerserPlugin({ extractComments: false })],
    },
    output: {
      path: path.resolve(process.cwd(), env.out ?? '../opsproxy/internal/ui/dist'),
      // The placeholder that keeps //go:embed working on a clean clone stays.
      clean: { keep: /\.gitkeep$/ },
      publicPath: BASE,
      filename: 'static/js/[name].[contenthash:12].js',
      chunkFilename: 'static/js/[name].[contenthash:12].js',
      hashFunction: 'sha256',
    },
    performance: { hints: false },
    stats: 'summary',
    plugins: [
      new webpack.DefinePlugin({ 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') }),
      new IndexHtmlPlugin(),
      new CopyWebpackPlugin({
        patterns: [
          {
            from: path.resolve(process.cwd(), 'node_modules/@grafana/ui/dist/public/img/icons'),
            to: 'public/build/img/icons',
          },
          { from: 'img/logo.svg', to: 'favicon.svg' },
        ],
      }),
    ],
    resolve: {
      extensions: ['.js', '.jsx', '.ts', '.tsx'],
      modules: [path.resolve(process.cwd(), 'src'), 'node_modules'],
    },
  };
};

export default config;
