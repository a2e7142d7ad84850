// Module Tensor.
