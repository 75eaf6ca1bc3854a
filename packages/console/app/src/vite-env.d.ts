// Stylesheets imported for their side effect (uPlot's), bundled by Vite.
declare module '*.css';
