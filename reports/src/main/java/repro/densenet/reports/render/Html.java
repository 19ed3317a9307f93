package repro.densenet.reports.render;

/** Small HTML helpers (escaping, the report's style sheet). */
public final class Html {

  private Html() {}

  /**
   * The project's one HTML escaper (the report's pages and SVG, the notebooks' tables): {@code < > &
   * "} become entities, for element content and double-quoted attribute values, the only kind of
   * attribute the project writes. An apostrophe stays as it is (it is safe in both, and the
   * published report's bytes depend on it).
   */
  public static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  static String page(String title, String rootPrefix, String body) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + esc(title)
        + "</title>\n<link rel=\"stylesheet\" href=\"" + rootPrefix + "style.css\">\n</head>\n<body>\n" + body
        + "\n</body>\n</html>\n";
  }

  static final String CSS = """
      body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px 32px; color: #222; max-width: 1500px; }
      h1 { font-size: 22px; margin: 0 0 6px 0; } h2 { font-size: 19px; margin-top: 30px; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
      .scale { border-radius: 6px; padding: 6px 14px; margin-bottom: 12px; color: #fff; font-size: 12px; max-width: 1300px; }
      .scale .big { font-size: 18px; font-weight: bold; letter-spacing: 1px; margin-right: 8px; }
      .sources { font-size: 14px; margin: 4px 0 6px 0; } h2 { margin-top: 22px; }
      table.run-summary td, table.findings td { font-size: 13px; } table.findings td { text-align: left; max-width: 860px; }
      .compute { font-size: 13px; color: #444; margin: 2px 0; } .counts { margin: 4px 0; } .counts .claim-verdict { margin-right: 4px; }
      pre.redo { font-size: 13px; max-width: 1100px; } a.more { font-size: 12px; white-space: nowrap; }
      .scale-smoke { background: #8a6d00; } .scale-cpu { background: #1f5f99; } .scale-paper { background: #2b7a3d; }
      .scale-mixed, .scale-none { background: #8b1e1e; }
      table { border-collapse: collapse; margin: 10px 0; font-size: 14px; }
      th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; vertical-align: top; }
      th { background: #f0f0f0; } td.l, th.l { text-align: left; }
      td.method { min-width: 220px; } .seeds { font-size: 12px; } .recal { font-size: 12px; color: #8a4b00; }
      details summary { cursor: pointer; color: #1f5f99; margin: 8px 0; } table.t1 td { white-space: nowrap; } table.t1 td.method { white-space: normal; }
      tr.baseline td { color: #777; } tr.ours td { background: #fbfbf4; }
      .pub { color: #555; } .nowrap { white-space: nowrap; } .verdict { font-weight: bold; padding-left: 4px; }
      .v-CONSISTENT { color: #2b7a3d; } .v-BETTER { color: #1f5f99; } .v-WORSE { color: #b0321e; } .v-SINGLE_RUN { color: #8a6d00; }
      .meta td { text-align: left; } .note { color: #555; font-size: 13px; max-width: 1100px; }
      figure { display: inline-block; margin: 8px 16px 8px 0; vertical-align: top; } figcaption { font-size: 13px; color: #444; max-width: 760px; } figure.heat figcaption { max-width: 520px; }
      figure img { border: 1px solid #ddd; }
      table.claims { max-width: 1500px; } table.claims td { text-align: left; }
      table.claims td.claim { min-width: 170px; max-width: 230px; font-weight: bold; }
      table.claims td.paper { min-width: 220px; max-width: 330px; font-size: 13px; color: #555; }
      table.claims td.evidence { font-size: 13px; } table.claims td.evidence ul { margin: 0; padding-left: 16px; }
      table.claims td.evidence li { margin-bottom: 2px; } table.claims .summary { margin-top: 4px; font-style: italic; }
      .o { font-weight: bold; white-space: nowrap; }
      .o-REPRODUCED { color: #2b7a3d; } .o-NOT_REPRODUCED { color: #b0321e; } .o-INCONCLUSIVE { color: #8a6d00; } .o-NO_RUNS { color: #777; }
      .claim-verdict { display: inline-block; padding: 3px 8px; border-radius: 4px; color: #fff; font-weight: bold; white-space: nowrap; }
      .cv-REPRODUCED { background: #2b7a3d; } .cv-NOT_REPRODUCED { background: #b0321e; } .cv-INCONCLUSIVE { background: #8a6d00; }
      .cv-NO_RUNS { background: #888; }
      pre { background: #f6f6f6; padding: 8px; font-size: 12px; overflow-x: auto; }
      pre.spec { white-space: pre-wrap; overflow-wrap: anywhere; max-width: 1100px; }
      .curves svg { margin: 4px 18px 4px 0; font-size: 11px; } .curves svg .t { font-size: 13px; font-weight: bold; }
      .curves svg .m { fill: #666; font-size: 10px; } img.heat { width: 300px; margin-right: 8px; border: 1px solid #ddd; }
      """;
}
