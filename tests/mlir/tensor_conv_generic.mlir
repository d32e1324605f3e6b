// A 2-D convolution (NCHW, stride 2, no padding) written by hand as a tensor.generic.
// d0 = n, d1 = f, d2 = oh, d3 = ow (parallel); d4 = c, d5 = kh, d6 = kw (reduction).
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<1x2x7x7xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<1x2x7x7xf32>, %arg1: tensor<3x2x3x3xf32>):
    %0 = "arith.constant"() <{value = dense<0.000000e+00> : tensor<1x3x3x3xf32>}> : () -> tensor<1x3x3x3xf32>
    %1 = "tensor.generic"(%arg0, %arg1, %0) <{indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 * 2 + d5, d3 * 2 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"], operandSegmentSizes = array<i32: 2, 1>}> ({
    ^bb0(%arg2: f32, %arg3: f32, %arg4: f32):
      %2 = "arith.mulf"(%arg2, %arg3) : (f32, f32) -> f32
      %3 = "arith.addf"(%arg4, %2) : (f32, f32) -> f32
      "tensor.generic_yield"(%3) : (f32) -> ()
    }) : (tensor<1x2x7x7xf32>, tensor<3x2x3x3xf32>, tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32> loc("Conv_0")
    "func.return"(%1) : (tensor<1x3x3x3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
