export { type CommandAppDeps, createApp } from './app.ts';
export { startCommandService } from './main.ts';
