import type { Db } from '../db/connect.js';
import type { Translate } from '../i18n.js';
import { nowIso } from '../lib/time.js';
import { formatBytes, safeFilename } from './names.js';
import { insertUploads } from './queries.js';
import { allowedLabels, claimedKind, isFileKind, KINDS, sniff, sniffedLabel, SNIFF_BYTES, textKind, type AttachmentPolicy, type FileKind, type Sniffed } from './sniff.js';
import { removeStoredFiles, storeStream, type Refusal, type StoredFile } from './store.js';

/** An upload on disk with its `attachments` row, pending (message_id NULL) until a verb binds it. */
export interface StoredUpload {
  id: number;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  storageKey: string;
}

/** A file that was not kept: its name, the catalogue key of the reason, and the message ready to show. */
export interface Rejection {
  filename: string;
  reason: string;
  params: Record<string, string>;
  message: string;
}

const REASONS: Record<Refusal | 'fileSize' | 'mismatch' | 'unrecognised', string> = {
  type: 'attachments.errors.type',
  mismatch: 'attachments.errors.mismatch',
  unrecognised: 'attachments.errors.unrecognised',
  size: 'attachments.errors.size',
  fileSize: 'attachments.errors.fileSize',
  empty: 'attachments.errors.empty',
};

/**
 * The files of one message as they arrive, one at a time: each is sniffed, counted against what is
 * left of the message's total, and kept or rejected by name. Nothing is in the database until
 * `commit`; `discardFiles` removes everything stored so far when the form fails as a whole.
 */
export class Intake {
  readonly rejected: Rejection[] = [];
  readonly #kept: { filename: string; file: StoredFile<FileKind> }[] = [];
  #used = 0;

  constructor(
    private readonly uploadsDir: string,
    private readonly policy: AttachmentPolicy,
    private readonly t: Translate,
    /** The per-file cap of the multipart parser, when it is below the message total. */
    private readonly fileCap = Infinity,
  ) {}

  /** Store one file. `truncated` tells whether the parser cut it at its per-file cap. */
  async take(rawName: string | undefined, source: AsyncIterable<Buffer>, truncated: () => boolean = () => false): Promise<void> {
    const filename = safeFilename(rawName);
    let sniffed: Sniffed = 'unknown';
    const outcome = await storeStream(this.uploadsDir, source, {
      maxBytes: this.policy.maxTotalBytes - this.#used,
      headBytes: SNIFF_BYTES,
      accept: (head) => {
        const kind = (sniffed = textKind(sniff(head), filename));
        return isFileKind(kind) && this.policy.allowed.includes(kind) ? kind : null;
      },
    });
    if (outcome.ok && truncated()) {
      await removeStoredFiles(this.uploadsDir, [outcome.file.storageKey]);
      this.#reject(filename, this.fileCap < this.policy.maxTotalBytes ? 'fileSize' : 'size');
    } else if (outcome.ok) {
      this.#kept.push({ filename, file: outcome.file });
      this.#used += outcome.file.size;
    } else if (outcome.reason === 'type') {
      this.#refuseType(filename, sniffed);
    } else {
      this.#reject(filename, outcome.reason);
    }
  }

  /**
   * A file of a type not accepted. When its name claims an accepted type, say that the content is
   * something else ("report.pdf: its name says PDF, but the content is HTML"): the person then knows
   * it is the file, not the name, that is wrong.
   */
  #refuseType(filename: string, sniffed: Sniffed): void {
    const claimed = claimedKind(filename);
    if (!claimed || !this.policy.allowed.includes(claimed)) return this.#reject(filename, 'type');
    const actual = sniffedLabel(sniffed);
    this.#reject(filename, actual ? 'mismatch' : 'unrecognised', { claimed: KINDS[claimed].label, actual: actual ?? '' });
  }

  #reject(filename: string, why: Refusal | 'fileSize' | 'mismatch' | 'unrecognised', more: Record<string, string> = {}): void {
    const params = {
      file: filename,
      types: allowedLabels(this.policy),
      max: formatBytes(this.t, why === 'fileSize' ? this.fileCap : this.policy.maxTotalBytes),
      ...more,
    };
    this.rejected.push({ filename, reason: REASONS[why], params, message: this.t(REASONS[why], params) });
  }

  /** Insert the kept files as pending uploads of `uploaderId`. */
  async commit(db: Db, uploaderId: number | null): Promise<StoredUpload[]> {
    const now = nowIso();
    const rows = this.#kept.map(({ filename, file }) => ({
      message_id: null, uploader_id: uploaderId, filename, content_type: KINDS[file.kind].mime,
      size: file.size, sha256: file.sha256, storage_key: file.storageKey, created_at: now,
    }));
    const ids = await insertUploads(db, rows);
    return rows.map((row, i) => ({
      id: ids[i]!, filename: row.filename, contentType: row.content_type, size: row.size, sha256: row.sha256, storageKey: row.storage_key,
    }));
  }

  async discardFiles(): Promise<void> {
    const keys = this.#kept.splice(0).map((k) => k.file.storageKey);
    await removeStoredFiles(this.uploadsDir, keys);
  }
}
