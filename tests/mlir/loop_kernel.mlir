// A GPU-style kernel (loop.parallel mapped to threads, vector loads/stores, a shared buffer, a barrier)
// called from a host function with loop.call. Per 4-wide chunk at i: y[i] = 2 * x[i]; x[i:i+4] = max(x[i:i+4] + old y[i:i+4], 0).
"builtin.module"() ({
  "loop.kernel"() <{function_type = (memref<8xf32>, memref<8xf32>, f32) -> (), sym_name = "axpy", target = "gpu"}> ({
  ^bb0(%arg0: memref<8xf32>, %arg1: memref<8xf32>, %arg2: f32):
    %0 = "arith.constant"() <{value = 0 : index}> : () -> index
    %1 = "arith.constant"() <{value = 4 : index}> : () -> index
    %2 = "arith.constant"() <{value = 8 : index}> : () -> index
    %3 = "loop.alloc"() <{memory_space = "shared"}> : () -> memref<8xf32>
    "loop.copy"(%arg0, %3) : (memref<8xf32>, memref<8xf32>) -> ()
    "loop.barrier"() : () -> ()
    "loop.parallel"(%0, %2, %1) <{mapping = ["thread.x"], operandSegmentSizes = array<i32: 1, 1, 1>}> ({
    ^bb0(%arg3: index):
      %4 = "arith.constant"() <{value = dense<0.000000e+00> : vector<4xf32>}> : () -> vector<4xf32>
      %5 = "loop.load"(%3, %arg3) : (memref<8xf32>, index) -> vector<4xf32>
      %6 = "loop.load"(%arg1, %arg3) : (memref<8xf32>, index) -> vector<4xf32>
      %7 = "loop.load"(%3, %arg3) : (memref<8xf32>, index) -> f32
      %8 = "arith.mulf"(%7, %arg2) : (f32, f32) -> f32
      "loop.store"(%8, %arg1, %arg3) : (f32, memref<8xf32>, index) -> ()
      %9 = "arith.addf"(%5, %6) : (vector<4xf32>, vector<4xf32>) -> vector<4xf32>
      %10 = "arith.maximumf"(%9, %4) : (vector<4xf32>, vector<4xf32>) -> vector<4xf32>
      "loop.store"(%10, %arg0, %arg3) : (vector<4xf32>, memref<8xf32>, index) -> ()
      "loop.yield"() : () -> ()
    }) : (index, index, index) -> ()
    "loop.dealloc"(%3) : (memref<8xf32>) -> ()
    "loop.return"() : () -> ()
  }) : () -> ()
  "func.func"() <{function_type = (memref<8xf32>, memref<8xf32>) -> (), sym_name = "main"}> ({
  ^bb0(%arg0: memref<8xf32>, %arg1: memref<8xf32>):
    %0 = "arith.constant"() <{value = 2.000000e+00 : f32}> : () -> f32
    "loop.call"(%arg0, %arg1, %0) <{callee = @axpy}> : (memref<8xf32>, memref<8xf32>, f32) -> ()
    "func.return"() : () -> ()
  }) : () -> ()
}) : () -> ()
