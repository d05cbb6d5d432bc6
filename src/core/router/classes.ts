import { DEGRADATION_IDS, type DegradationId } from '../degradations/ids';

/** What the router tells apart: the 11 degradations and an undamaged photo. */
export const CLEAN = 'clean';
export type RouterClass = DegradationId | typeof CLEAN;
export const ROUTER_CLASSES: readonly RouterClass[] = [...DEGRADATION_IDS, CLEAN];
