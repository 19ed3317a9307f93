/**
 * Reports: reads run directories (files only: {@code spec.json}, {@code metrics.jsonl}, {@code
 * result.json}, {@code experiment.json}), aggregates seeds with Apache Commons Math and renders
 * Table 1, the claims table and Figures 3-6 next to the paper's published numbers ({@link
 * repro.densenet.reports.paper.PaperNumbers}).
 */
package repro.densenet.reports;
