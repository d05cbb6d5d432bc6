export const FILE_INPUT_ID = 'file-input';
export const ACCEPTED_TYPES = 'image/png,image/jpeg,image/webp,.png,.jpg,.jpeg,.webp';

/** Every "choose files" button opens the one hidden input (App.tsx renders it). */
export function openFilePicker(): void {
  document.getElementById(FILE_INPUT_ID)?.click();
}
