import { hasPreview } from '@yishi/attachments/sniff';
import { AttachmentMediaType, attachmentOfRef } from '@yishi/domain';
import type { AttachmentInfo, AttachmentInfoList } from '@yishi/projection/contract';
import type { Context } from 'hono';
import type { Upstreams } from './api.ts';
import { type Html, h } from './html.ts';
import { communityApi, type Page, read } from './pages/page.ts';
import { type FieldSpec, type FormScope, textField } from './views/forms.ts';

// Attachments in the console: a document field (a paper ballot's, minutes', a receipt's) gets
// a file input that opens the phone's camera or the computer's files. The console's script
// uploads the file as soon as it is picked (multipart to this service, which forwards it with
// the user's token to the command service) and fills the field with `attachment:<sha256>`,
// showing the preview or a link. Without the script the field still takes a typed reference.

/** The file, with a multipart envelope: the command service's own limit is 20 MB. */
export const UPLOAD_MAX_BYTES = 20 * 1024 * 1024 + 64 * 1024;
export const UPLOAD_PATH = /^\/c\/[^/]+\/attachments$/;

/** Where the console serves an attachment (and its preview) through its pass-through. */
export function attachmentUrl(communityId: string, sha256: string): string {
  return `/api/projection/v1/communities/${encodeURIComponent(communityId)}/attachments/${sha256}`;
}

/** The attachments of a page's document references, asked once (at most 100 a page). */
export async function attachmentInfos(
  page: Page,
  refs: readonly (string | null | undefined)[],
): Promise<ReadonlyMap<string, AttachmentInfo>> {
  const hashes = [
    ...new Set(refs.flatMap((ref) => (ref ? (attachmentOfRef(ref) ?? []) : []))),
  ].slice(0, 100);
  const infos = new Map<string, AttachmentInfo>();
  if (hashes.length === 0) return infos;
  const result = await read<AttachmentInfoList>(page, communityApi(page, '/attachments'), {
    sha256: hashes.join(','),
  });
  // Without the answer every reference is still a link.
  if (result.ok) for (const info of result.data.items) infos.set(info.sha256, info);
  return infos;
}

/**
 * A document reference as shown: a photo as its preview, linked to the photo itself; another
 * uploaded attachment (a PDF) as a link naming its type; any other reference as the text it is.
 */
export function documentRef(
  communityId: string,
  ref: string,
  label: string,
  infos: ReadonlyMap<string, AttachmentInfo> = new Map(),
): Html | string {
  const sha256 = attachmentOfRef(ref);
  if (!sha256) return ref;
  const url = attachmentUrl(communityId, sha256);
  const info = infos.get(sha256);
  const name = info?.fileName ?? `${label} ${sha256.slice(0, 12)}`;
  if (info?.preview) {
    return h`<a class="thumb" href="${url}" target="_blank" rel="noopener"><img src="${url}/preview" alt="${name}" loading="lazy" decoding="async"></a>`;
  }
  const type = info ? ` (${info.mediaType === 'application/pdf' ? 'PDF' : info.mediaType})` : '';
  return h`<a href="${url}" target="_blank" rel="noopener">${name}</a>${type}`;
}

/** A document reference field with a file input that uploads and fills it in. */
export function documentField(page: Page, scope: FormScope, spec: FieldSpec): Html {
  const { tr } = page;
  const target = scope.fieldId(spec.name);
  const id = `${target}-file`;
  return h`${textField(scope, spec)}
<div class="field attach" data-attach="${target}" data-upload="/c/${encodeURIComponent(page.communityId)}/attachments"
  data-uploading="${tr.t('attach.uploading')}" data-done="${tr.t('attach.done')}" data-failed="${tr.t('attach.failed')}" data-open="${tr.t('attach.open')}">
  <label for="${id}">${tr.t('attach.file')}</label>
  <input id="${id}" type="file" accept="image/*,application/pdf" capture="environment">
  <p class="attach-status" role="status" aria-live="polite"></p>
</div>`;
}

/**
 * `POST /c/:cid/attachments`: the file the script sends (the form token already checked), sent
 * on to the command service; the answer is JSON for the script: the reference to put in the
 * field and where to see the file, or the service's problem.
 */
export async function forwardUpload(
  c: Context,
  upstreams: Upstreams,
  token: string | undefined,
): Promise<Response> {
  const body = await c.req.parseBody();
  const file = body.file;
  if (!(file instanceof File)) {
    return c.json({ status: 400, code: 'invalid-input', detail: 'No file' }, 400);
  }
  const cid = c.req.param('cid') ?? '';
  const form = new FormData();
  form.set('file', file, file.name);
  let res: Response;
  try {
    res = await fetch(
      `${upstreams.commandUrl}/v1/communities/${encodeURIComponent(cid)}/attachments`,
      {
        method: 'POST',
        headers: {
          accept: 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: form,
        signal: AbortSignal.timeout(60_000),
      },
    );
  } catch {
    return c.json(
      { status: 502, code: 'upstream-unavailable', detail: 'Service not reachable' },
      502,
    );
  }
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    return c.json(answer, res.status as 400);
  }
  const sha256 = String(answer.sha256);
  const url = attachmentUrl(cid, sha256);
  const type = AttachmentMediaType.safeParse(answer.mediaType);
  return c.json({
    ref: answer.ref,
    sha256,
    mediaType: answer.mediaType,
    fileName: answer.fileName ?? null,
    url,
    preview: type.success && hasPreview(type.data) ? `${url}/preview` : null,
  });
}

/** The file inputs' and the shown photos' look (spliced into `/assets/style.css`). */
export const attachmentStyle = `
.attach input[type=file] { min-height: 44px; }
a.thumb { display: inline-block; vertical-align: top; min-height: 44px; }
a.thumb img { display: block; max-width: min(10rem, 100%); height: auto; border: 1px solid var(--line); border-radius: 4px; }
.attach-status img.attach-preview { display: block; max-width: 10rem; height: auto; margin-top: .25rem; border: 1px solid var(--line); border-radius: 4px; }
`;

/** The console's script for the file inputs (spliced into `/assets/app.js`). */
export const attachmentScript = `
(function () {
  var fields = document.querySelectorAll('[data-attach]');
  Array.prototype.forEach.call(fields, function (box) {
    var input = box.querySelector('input[type=file]');
    var status = box.querySelector('.attach-status');
    var target = document.getElementById(box.getAttribute('data-attach'));
    var form = target && target.form;
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      if (!file || !form) return;
      var data = new FormData();
      data.append('_csrf', form.querySelector('input[name=_csrf]').value);
      data.append('file', file);
      status.textContent = box.getAttribute('data-uploading');
      fetch(box.getAttribute('data-upload'), { method: 'POST', body: data, credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
        .then(function (res) {
          status.textContent = '';
          if (!res.ok) {
            status.textContent = box.getAttribute('data-failed') + ': ' + (res.body.detail || res.body.code || '');
            return;
          }
          target.value = res.body.ref;
          status.appendChild(document.createTextNode(box.getAttribute('data-done') + ' '));
          var link = document.createElement('a');
          link.href = res.body.url;
          link.target = '_blank';
          link.rel = 'noopener';
          link.textContent = box.getAttribute('data-open');
          if (res.body.preview) {
            var img = document.createElement('img');
            img.src = res.body.preview;
            img.alt = res.body.fileName || box.getAttribute('data-open');
            img.className = 'attach-preview';
            link.textContent = '';
            link.appendChild(img);
          }
          status.appendChild(link);
        })
        .catch(function () { status.textContent = box.getAttribute('data-failed'); });
    });
  });
})();
`;
