/**
 * Reports: reads run directories (files only: {@code spec.json}, {@code metrics.jsonl}, {@code
 * result.json}), aggregates seeds with Apache Commons Math and renders tables and figures next to
 * the paper's numbers. This issue provides the paper's published Table 1 figures ({@link
 * repro.densenet.reports.PaperTable1}); aggregation and rendering come with the reports issue.
 */
package repro.densenet.reports;
