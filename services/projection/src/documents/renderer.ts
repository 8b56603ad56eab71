import { type Logger, silentLogger } from '@yishi/platform';
import { type Browser, chromium } from 'playwright-core';

// HTML to PDF with Chromium (its print engine embeds the fonts, so the text stays
// extractable). One browser per process, started on the first document and again after it
// dies; each document gets a fresh context without JavaScript or network, closed after use;
// a few at a time (the machine has two cores), each within a time limit.

/** Why no PDF could be made now: Chromium is missing or broken, busy, or too slow. */
export class PdfUnavailable extends Error {
  constructor(
    message: string,
    /** Seconds after which trying again makes sense (busy or slow); none when it is missing. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'PdfUnavailable';
  }
}

export interface PdfRendererOptions {
  /** `CHROMIUM_PATH`: the Chromium (or Chrome) executable. */
  executablePath: string;
  /** Documents printed at once (default 2). */
  concurrency?: number;
  /** Documents waiting beyond those; one more is refused at once (default 16). */
  queueLimit?: number;
  /** Upper bound of one document, waiting excluded (ms, default 20 000). */
  timeoutMs?: number;
  logger?: Logger;
}

export interface PdfPage {
  html: string;
  /** Chromium's footer template (its own small HTML; `pageNumber`/`totalPages` spans). */
  footer?: string;
}

export interface PdfRenderer {
  render(page: PdfPage): Promise<Uint8Array<ArrayBuffer>>;
  close(): Promise<void>;
}

/** The flags the console's browser tests use too: headless, no sandbox as root, no extras. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
] as const;

export function createPdfRenderer(options: PdfRendererOptions): PdfRenderer {
  const logger = options.logger ?? silentLogger;
  const concurrency = options.concurrency ?? 2;
  const queueLimit = options.queueLimit ?? 16;
  const timeoutMs = options.timeoutMs ?? 20_000;
  let browser: Promise<Browser> | undefined;
  let running = 0;
  const waiting: (() => void)[] = [];
  let closed = false;

  function launch(): Promise<Browser> {
    if (!browser) {
      const launching = chromium
        .launch({ executablePath: options.executablePath, args: [...CHROMIUM_ARGS] })
        .then((b) => {
          b.on('disconnected', () => {
            if (browser === launching) browser = undefined;
          });
          return b;
        });
      browser = launching;
      // A failed start is not kept: Chromium may be installed before the next document.
      launching.catch((error: unknown) => {
        if (browser === launching) browser = undefined;
        logger.warn({ err: error }, 'Chromium could not be started');
      });
    }
    return browser;
  }

  async function slot(): Promise<void> {
    if (running < concurrency) {
      running += 1;
      return;
    }
    if (waiting.length >= queueLimit) {
      throw new PdfUnavailable(`${running + waiting.length} documents are being printed`, 5);
    }
    // The slot is handed over by the one finishing: `running` stays as it is.
    await new Promise<void>((resolve) => waiting.push(resolve));
  }

  function release(): void {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }

  async function print(b: Browser, page: PdfPage): Promise<Uint8Array<ArrayBuffer>> {
    const context = await b.newContext({ javaScriptEnabled: false });
    let timer: NodeJS.Timeout | undefined;
    try {
      // Everything is in the page: nothing may be fetched (the text is escaped, and this
      // keeps it so even if it were not).
      await context.route('**/*', (route) => route.abort());
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new PdfUnavailable(`printing took more than ${timeoutMs} ms`, 5));
          void context.close().catch(() => undefined);
        }, timeoutMs);
      });
      const printing = (async () => {
        const tab = await context.newPage();
        await tab.setContent(page.html, { waitUntil: 'load', timeout: timeoutMs });
        return tab.pdf({
          format: 'A4',
          printBackground: true,
          preferCSSPageSize: true,
          ...(page.footer
            ? {
                displayHeaderFooter: true,
                headerTemplate: '<span></span>',
                footerTemplate: page.footer,
              }
            : {}),
        });
      })();
      printing.catch(() => undefined);
      return new Uint8Array(await Promise.race([printing, timedOut]));
    } finally {
      clearTimeout(timer);
      await context.close().catch(() => undefined);
    }
  }

  return {
    async render(page) {
      if (closed) throw new PdfUnavailable('the PDF renderer is shut down');
      await slot();
      try {
        let b: Browser;
        try {
          b = await launch();
        } catch (error) {
          throw new PdfUnavailable(
            `Chromium could not be started at ${options.executablePath}: ${(error as Error).message.split('\n')[0]}`,
          );
        }
        try {
          return await print(b, page);
        } catch (error) {
          if (error instanceof PdfUnavailable) throw error;
          // The browser died or refused the page: the next document starts it again.
          logger.warn({ err: error }, 'printing failed');
          throw new PdfUnavailable(
            `printing failed: ${(error as Error).message.split('\n')[0]}`,
            5,
          );
        }
      } finally {
        release();
      }
    },
    async close() {
      closed = true;
      const b = browser;
      browser = undefined;
      if (b) await (await b.catch(() => undefined))?.close();
    },
  };
}
