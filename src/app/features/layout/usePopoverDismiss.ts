import { useEffect } from 'react';

/**
 * The header's <details> popovers close like menus: on Escape (focus returns to their summary) and
 * on a click outside them. <details> alone does neither.
 */
export function usePopoverDismiss(): void {
  useEffect(() => {
    const open = () => [...document.querySelectorAll<HTMLDetailsElement>('details.popover[open]')];
    const onPointerDown = (event: PointerEvent) => {
      for (const details of open()) if (!details.contains(event.target as Node)) details.open = false;
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      for (const details of open()) {
        const hadFocus = details.contains(document.activeElement);
        details.open = false;
        if (hadFocus) details.querySelector('summary')?.focus();
      }
    };
    document.addEventListener('pointerdown', onPointerDown);
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown);
      document.removeEventListener('keydown', onKeyDown);
    };
  }, []);
}
