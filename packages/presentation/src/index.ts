export * from './figures.ts';
export * from './html.ts';
export * from './lang.ts';
export * from './messages.ts';
export * from './money.ts';
export * from './time.ts';
