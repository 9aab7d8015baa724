"""A CMS-like toy tracker with LST-style object building, for training the T5 DNN.

geometry (surfaces, field, resolutions) -> particles (tt-bar-like + pile-up)
-> propagate (helices, multiple scattering) -> hits (MDs) -> build
(segments, T3, T5) -> event (batch + truth) -> sample (tables).
Documented in docs/t5_training.md.
"""
