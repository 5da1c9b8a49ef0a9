/**
 * Tables and charts for the notebooks, rendered statically so that notebooks read the same on
 * GitHub, offline and in JupyterLab: Tablesaw tables become HTML (and text), XChart charts become
 * PNG. {@link prunekit.viz.Notebook#install()} makes a notebook cell that ends in a table or a
 * chart show it inline; {@link prunekit.viz.Charts} builds the charts the paper notebooks use;
 * {@link prunekit.viz.Progress} reports long loops in a terminal and in a notebook.
 */
package prunekit.viz;
