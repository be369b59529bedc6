"""Analysis: paired comparisons, sensitivity, figures and reports."""
