// Named structured ops, data movement, tensor.empty and an iota written with tensor.generic_index.
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<16x5xf32>) -> (tensor<1x5xf32>, tensor<1x4x2x3xf32>, tensor<3x4xi32>, tensor<?x4xf32>), sym_name = "main"}> ({
  ^bb0(%arg0: tensor<1x3x8x8xf32>, %arg1: tensor<4x3x3x3xf32>, %arg2: tensor<16x5xf32>):
    %0 = "tensor.conv"(%arg0, %arg1) <{group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}> : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32> loc("Conv_0")
    %1 = "tensor.pool"(%0) <{kernel = array<i64: 2, 2>, kind = "max", strides = array<i64: 2, 2>}> : (tensor<1x4x4x4xf32>) -> tensor<1x4x2x2xf32> loc("MaxPool_1")
    %2 = "tensor.pool"(%0) <{kernel = array<i64: 3, 3>, kind = "avg", pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> loc("AvgPool_2")
    %3 = "tensor.reduce"(%2) <{axes = array<i64: 2, 3>, keepdims = true, kind = "mean"}> : (tensor<1x4x4x4xf32>) -> tensor<1x4x1x1xf32> loc("ReduceMean_3")
    %4 = "tensor.transpose"(%1) <{perm = array<i64: 0, 2, 3, 1>}> : (tensor<1x4x2x2xf32>) -> tensor<1x2x2x4xf32>
    %5 = "tensor.reshape_static"(%4) : (tensor<1x2x2x4xf32>) -> tensor<1x16xf32>
    %6 = "tensor.matmul"(%5, %arg2) : (tensor<1x16xf32>, tensor<16x5xf32>) -> tensor<1x5xf32>
    %7 = "tensor.broadcast"(%3) <{dims = array<i64: 0, 1, 2, 3>}> : (tensor<1x4x1x1xf32>) -> tensor<1x4x2x2xf32>
    %8 = "tensor.pad_constant"(%7) <{high = array<i64: 0, 0, 0, 1>, low = array<i64: 0, 0, 1, 0>, value = 0xFF800000 : f32}> : (tensor<1x4x2x2xf32>) -> tensor<1x4x3x3xf32>
    %9 = "tensor.concatenate"(%8, %8) <{dim = 1 : i64}> : (tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>) -> tensor<1x8x3x3xf32>
    %10 = "tensor.slice"(%9) <{offsets = array<i64: 0, 7, 2, 0>, sizes = array<i64: 1, 4, 2, 3>, strides = array<i64: 1, -2, -1, 1>}> : (tensor<1x8x3x3xf32>) -> tensor<1x4x2x3xf32>
    %11 = "arith.constant"() <{value = 3 : index}> : () -> index
    %12 = "tensor.empty"(%11) : (index) -> tensor<?x4xf32>
    %13 = "tensor.empty"() : () -> tensor<3x4xi32>
    %14 = "tensor.generic"(%13) <{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"], operandSegmentSizes = array<i32: 0, 1>}> ({
    ^bb0(%arg3: i32):
      %15 = "tensor.generic_index"() <{dim = 0 : i64}> : () -> index
      %16 = "tensor.generic_index"() <{dim = 1 : i64}> : () -> index
      %17 = "arith.constant"() <{value = 10 : index}> : () -> index
      %18 = "arith.muli"(%15, %17) : (index, index) -> index
      %19 = "arith.addi"(%18, %16) : (index, index) -> index
      %20 = "arith.index_cast"(%19) : (index) -> i32
      "tensor.generic_yield"(%20) : (i32) -> ()
    }) : (tensor<3x4xi32>) -> tensor<3x4xi32>
    "func.return"(%6, %10, %14, %12) : (tensor<1x5xf32>, tensor<1x4x2x3xf32>, tensor<3x4xi32>, tensor<?x4xf32>) -> ()
  }) : () -> ()
}) : () -> ()
