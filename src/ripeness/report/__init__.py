"""Reports: text summaries, tables, plots and explanations of scenarios and results."""
