/**
 * A zero-mean generalized Gaussian distribution, parameterised as in SRGA: sigma is the standard
 * deviation (sqrt of the second moment) and beta the shape (2 = Gaussian, 1 = Laplacian).
 * The paper's Eq. 1 calls the shape α; the method notes and this code call it β.
 */
export interface Ggd {
  readonly sigma: number;
  readonly beta: number;
}
