import { removeImage } from '../../engine/actions';
import { useAppStore } from '../../state/store';

/** The remove button disappears with its row: hand focus to the next row (or the previous, or "Choose files"). */
export function removeWithFocus(id: string): void {
  const { order } = useAppStore.getState();
  const index = order.indexOf(id);
  const neighbour = order[index + 1] ?? order[index - 1];
  removeImage(id);
  requestAnimationFrame(() => {
    const target = neighbour
      ? document.querySelector<HTMLElement>(`[data-item-id="${neighbour}"] [data-testid="select-item"]`)
      : document.querySelector<HTMLElement>('[data-testid="choose-files"]');
    target?.focus();
  });
}
