// esbuild bundles CSS imported from TypeScript into dist/assets/app.css.
declare module '*.css';
