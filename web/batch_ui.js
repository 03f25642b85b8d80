// Batch mode's wiring on the page: the hidden inputs (many files, a folder), a dropped folder, the
// app's batch buttons, and the exports (CSV, ZIP of labelled copies), saved as downloads.
import { Batch, droppedFiles } from './batch.js';
import { saveBlob } from './download.js';

const today = () => new Date().toISOString().slice(0, 10);

// app: the ImGui app; card(key): a model's card; operating(result): the result under the operating point in
// use; selectedKeys(): the models whose rows the exports hold; analyse(file): opens a file in the viewer;
// showMessage(text, isError); onEvaluated(evaluations): a batch's figures are made.
export function wireBatch({ app, compiled, models, card, operating, selectedKeys, analyse, showMessage, onEvaluated }) {
  const status = document.getElementById('batch');
  const batch = new Batch({
    app,
    compiled,
    models,
    card,
    operating,
    onEvaluated,
    announce: (data, text) => {
      for (const k of Object.keys(status.dataset)) if (!k.startsWith('export')) delete status.dataset[k];
      Object.assign(status.dataset, data);
      if (text) status.textContent = text;
    },
  });
  const take = (input) => {
    const items = [...input.files].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
    input.value = '';
    batch.add(items);
  };
  for (const id of ['files', 'folder']) {
    const input = document.getElementById(id);
    input.addEventListener('change', () => take(input));
  }
  const exportZip = async () => {
    try {
      const key = selectedKeys()[0];
      const { blob, count, errors } = await batch.zip(key, today());
      saveBlob(blob, `xraylens_labelled_copies_${today()}.zip`);
      status.dataset.exportZip = String(count);
      if (errors.length) showMessage(`${errors.length} labelled copies could not be made: ${errors.slice(0, 3).join('; ')}`, true);
    } catch (e) {
      showMessage(`Could not make the ZIP: ${e.message}`, true);
    }
  };
  Object.assign(globalThis.xraylensHost, {
    // the workers start while the user picks the files
    openMany: () => {
      batch.warm();
      document.getElementById('files').click();
    },
    openFolder: () => {
      batch.warm();
      document.getElementById('folder').click();
    },
    batchPause: (on) => batch.pause(on),
    batchCancel: () => batch.cancel(),
    batchOpen: (i) => {
      const row = batch.rows[i];
      if (row) analyse(row.file);
    },
    exportCsv: () => {
      saveBlob(batch.csv(selectedKeys()), `xraylens_batch_${today()}.csv`, 'text/csv');
      status.dataset.exportCsv = String(batch.rows.length);
    },
    exportZip,
  });
  return {
    batch,
    // A drop of a folder or of several files becomes a batch; returns false for a single file.
    drop(dataTransfer) {
      const { hasFolder, files } = droppedFiles(dataTransfer);
      if (!hasFolder && (dataTransfer?.files.length ?? 0) < 2) return false;
      files.then((items) => batch.add(items), (e) => showMessage(`Could not read the dropped folder: ${e.message}`, true));
      return true;
    },
  };
}

