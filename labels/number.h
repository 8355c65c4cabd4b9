/*
 * Number formats of labels, fixed so that labels are byte-for-byte
 * reproducible (README.md documents them). None of them depends on the
 * locale: printf's decimal point is always rewritten to '.'.
 */
#ifndef MF_LABEL_NUMBER_H
#define MF_LABEL_NUMBER_H

/* Every formatter writes at most this many bytes, NUL included. */
#define MF_LABEL_NUM_MAX 48

/*
 * Exact: the shortest "%.{1..17}g" text that reads back as the same
 * double, with the exponent written e23 / e-5 ("0.341", "72.2",
 * "16384", "1.6e23"). For eval values and anything shown as given.
 */
void mf_label_num_exact(char *dst, double x);

/*
 * A JSON real that parses back to the same double and stays a real:
 * integral values below 1e16 as "16384.0", others as the shortest
 * round-trip "%g" text ("0.341", "1.6e+23").
 */
void mf_label_num_json(char *dst, double x);

/*
 * Readable: integers with thousands separators ("16,384"); other values
 * to at most three significant digits, whole from 100 up ("1,235",
 * "12.3", "0.543"); below 0.001 in scientific form ("2.5e-4").
 */
void mf_label_num_plain(char *dst, double x);

/*
 * Counts (parameters, tokens, documents): below one million as
 * num_plain, then with M, B or T: two decimals below 10 keeping at least
 * one ("7.1B", "2.0T", "1.15M"), one decimal below 100 ("13.2B", "70B"),
 * whole above ("405B"); from 1e15 in scientific form.
 */
void mf_label_num_scaled(char *dst, double x);

/* Scientific with two significant digits: "1.6e23", "3.1e23". */
void mf_label_num_sci(char *dst, double x);

/* Bytes in decimal SI units: "512 B", "4.5 TB", "1.2 PB". */
void mf_label_num_bytes(char *dst, double x);

#endif
