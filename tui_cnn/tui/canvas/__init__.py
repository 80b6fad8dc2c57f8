"""A drawing canvas: draw a digit or a picture, see it prepared MNIST-style and classified.

``canvas_state`` is the pure-Python state (pixels, cursor, brush, undo); ``canvas_view``
the Textual widget that draws it and posts ``DrawingChanged`` when the drawing changes.
"""
