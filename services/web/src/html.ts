// The console's pages build their markup with the template tag the printed documents use too.
export { type Child, escapeHtml, type Html, h, join, raw } from '@yishi/presentation';
