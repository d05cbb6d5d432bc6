import { importFiles } from '../../engine/actions';
import { ACCEPTED_TYPES, FILE_INPUT_ID } from './file-picker';

/** The one file input, visually hidden; buttons open it with openFilePicker(). */
export function FileInput() {
  return (
    <input
      id={FILE_INPUT_ID}
      type="file"
      multiple
      accept={ACCEPTED_TYPES}
      className="visually-hidden"
      tabIndex={-1}
      aria-hidden="true"
      data-testid="file-input"
      onChange={(event) => {
        const input = event.currentTarget;
        void importFiles([...(input.files ?? [])]);
        input.value = ''; // choosing the same file again still fires change
      }}
    />
  );
}
