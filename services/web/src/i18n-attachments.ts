import type { Pair } from '@yishi/presentation';

// The console's words for attachments (the file input of document fields), spread into i18n.ts.

export const attachmentMessages = {
  'attach.file': [
    '拍照或选择文件（照片或 PDF，20 MB 以内）',
    'Take a photo or pick a file (photo or PDF, up to 20 MB)',
  ],
  'attach.uploading': ['正在上传……', 'Uploading…'],
  'attach.done': ['已上传附件', 'Attachment uploaded'],
  'attach.failed': ['上传失败', 'Upload failed'],
  'attach.open': ['查看附件', 'Open the attachment'],
  'attach.ref': ['附件', 'Attachment'],
} satisfies Record<string, Pair>;
