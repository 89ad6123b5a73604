/** The HTML writer lives in reports/html/; this module keeps its public names where importers expect them. */
export { htmlWriter } from './html/writer.ts';
export { escapeHtml, visible } from './html/markup.ts';
