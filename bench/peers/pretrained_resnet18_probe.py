"""Probe: does an ImageNet-pretrained backbone beat training from scratch on CIFAR-10 on this CPU? (bench/RESULTS.md,
ninth session). The weights are those ML.NET ships in Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (a CNTK 2.6
export: ResNet-18 with a third basic block in the last stage, BGR input on 0-255 minus a 224 x 224 mean image, whose
channel means B, G, R are 103.1, 115.9, 123.2; this probe subtracts those three means at any input size),
loaded into torchvision's ResNet-18 and fine-tuned with cross-entropy.

    /usr/bin/python3 bench/peers/pretrained_resnet18_probe.py pool 64 0 0      # frozen features, upsampled to 64 px
    /usr/bin/python3 bench/peers/pretrained_resnet18_probe.py pool 64 1 0.05   # one epoch of fine-tuning at 64 px

Arguments: pool|nopool (keep or drop the stem's max-pool), input side (bilinear upsampling from 32), epochs, peak
learning rate, [training images]. Needs python3-torch, python3-torchvision, python3-onnx, python3-pil. The ONNX file
is taken from NuGet's cache (any project that references the package puts it there) or from $RESNET18_ONNX, in the
package's layout (the mean image is read from ResNetPrepOnnx/ResNetPreprocess.onnx beside its folder); the JPEG
folders from $CIFAR_DATA (default ../shared/data/cifar10).
"""
import os, glob
import torch, torchvision, onnx, numpy as np, time, sys, math
from onnx import numpy_helper
torch.set_num_threads(2); torch.manual_seed(1)
onnx_path = os.environ.get('RESNET18_ONNX') or glob.glob(os.path.expanduser(
    '~/.nuget/packages/microsoft.ml.dnnimagefeaturizer.resnet18/*/tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx'))[0]
data = os.environ.get('CIFAR_DATA', '../shared/data/cifar10'); cache = os.environ.get('PROBE_CACHE', '/tmp/pretrained-probe-cache')
def load(split):
    if not os.path.exists(f'{cache}/{split}_x.npy'):
        from PIL import Image
        os.makedirs(cache, exist_ok=True); X=[]; Y=[]
        for ci, c in enumerate(sorted(os.listdir(f'{data}/{split}'))):
            for f in sorted(os.listdir(f'{data}/{split}/{c}')):
                X.append(np.asarray(Image.open(f'{data}/{split}/{c}/{f}').convert('RGB'))); Y.append(ci)
        np.save(f'{cache}/{split}_x.npy', np.stack(X)); np.save(f'{cache}/{split}_y.npy', np.array(Y))
    return np.load(f'{cache}/{split}_x.npy'), np.load(f'{cache}/{split}_y.npy')
m = onnx.load(onnx_path); g=m.graph
init={t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in g.initializer}
convs=[n for n in g.node if n.op_type=='Conv']; bns=[n for n in g.node if n.op_type=='BatchNormalization']
net=torchvision.models.resnet18(num_classes=10)
net.layer4.append(torchvision.models.resnet.BasicBlock(512,512))
order=[net.conv1]
bnorder=[net.bn1]
for layer in [net.layer1,net.layer2,net.layer3,net.layer4]:
    for b in layer:
        if b.downsample is not None: order.append(b.downsample[0]); bnorder.append(b.downsample[1])
        order += [b.conv1,b.conv2]; bnorder += [b.bn1,b.bn2]
assert len(order)==len(convs)==len(bns)
for mod,n in zip(order,convs):
    w=init[n.input[1]]; assert w.shape==mod.weight.shape,(w.shape,mod.weight.shape); mod.weight.data.copy_(w)
for mod,n in zip(bnorder,bns):
    sc,b,mean,var=[init[i] for i in n.input[1:5]]
    mod.weight.data.copy_(sc.view(-1)); mod.bias.data.copy_(b.view(-1)); mod.running_mean.copy_(mean.view(-1)); mod.running_var.copy_(var.view(-1))
prep_graph = onnx.load(os.path.join(os.path.dirname(os.path.dirname(onnx_path)), 'ResNetPrepOnnx', 'ResNetPreprocess.onnx')).graph
mean = torch.from_numpy(numpy_helper.to_array(prep_graph.initializer[0]).copy()).mean(dim=(0, 2, 3)).view(1, 3, 1, 1)   # per BGR channel
maxpool = sys.argv[1]=='pool'; size=int(sys.argv[2]); epochs=int(sys.argv[3]); lr=float(sys.argv[4]); limit=int(sys.argv[5]) if len(sys.argv)>5 else 50000
if not maxpool: net.maxpool=torch.nn.Identity()
net=net.to(memory_format=torch.channels_last)
trx,tr_y=load('train'); tex,te_y=load('test')
Xtr=torch.from_numpy(trx).permute(0,3,1,2)[:, [2,1,0]].float(); Ytr=torch.from_numpy(tr_y)
perm=torch.randperm(50000)[:limit]; Xtr=Xtr[perm]; Ytr=Ytr[perm]
Xte=torch.from_numpy(tex).permute(0,3,1,2)[:, [2,1,0]].float(); Yte=torch.from_numpy(te_y)
def prep(x):
    x=(x-mean)
    if size!=32: x=torch.nn.functional.interpolate(x,size=(size,size),mode='bilinear',align_corners=False)
    return x.contiguous(memory_format=torch.channels_last)
def feats(X):
    net.eval(); out=[]
    with torch.no_grad():
        for i in range(0,len(X),500):
            x=prep(X[i:i+500]); 
            f=lambda z: torch.flatten(net.avgpool(net.layer4(net.layer3(net.layer2(net.layer1(net.maxpool(net.relu(net.bn1(net.conv1(z))))))))),1)
            a=f(x); b=f(torch.flip(x,[3]))
            out.append((a, b, net.fc(a)+net.fc(b)))
    return torch.cat([o[0] for o in out]), torch.cat([o[1] for o in out]), torch.cat([o[2] for o in out])
def p1(F,Y):
    F=torch.nn.functional.normalize(F,dim=1); S=F@F.T; S.fill_diagonal_(-2); return (Y[S.argmax(1)]==Y).float().mean().item()
def evaluate(tag):
    a,b,lg=feats(Xte)
    na=torch.nn.functional.normalize(a,dim=1); nb=torch.nn.functional.normalize(b,dim=1)
    acc = '' if epochs == 0 else f"acc(flipTTA) {(lg.argmax(1)==Yte).float().mean():.4f}  "   # frozen: the 10-class layer is untrained
    print(tag, f"{acc}P@1 {p1(a,Yte):.4f}  P@1 flip {p1(na+nb,Yte):.4f}", flush=True)
if epochs==0: evaluate('frozen'); sys.exit()
params_bn=[p for n,p in net.named_parameters() if p.ndim<=1]; params_w=[p for n,p in net.named_parameters() if p.ndim>1]
opt=torch.optim.SGD([{'params':params_w,'weight_decay':5e-4},{'params':params_bn,'weight_decay':0}],lr=lr,momentum=0.9,nesterov=True)
bs=128; steps=epochs*(len(Xtr)//bs); step=0; t0=time.time()
for ep in range(epochs):
    net.train(); p=torch.randperm(len(Xtr))
    for i in range(0,len(Xtr)-bs+1,bs):
        idx=p[i:i+bs]; x=Xtr[idx]; y=Ytr[idx]
        # pad-4 crop + flip
        x=torch.nn.functional.pad(x,(4,4,4,4)); dx,dy=np.random.randint(0,9,2); x=x[:,:,dy:dy+32,dx:dx+32]
        fl=torch.rand(bs)<0.5; x[fl]=torch.flip(x[fl],[3])
        frac=step/steps; warm=min(1,(step+1)/(0.1*steps)); rate=lr*warm*(1-frac)
        for gg in opt.param_groups: gg['lr']=rate
        loss=torch.nn.functional.cross_entropy(net(prep(x)),y,label_smoothing=0.1)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); step+=1
        if step%50==0: print(f"ep {ep} step {step}/{steps} loss {loss.item():.3f} {time.time()-t0:.0f}s", flush=True)
    evaluate(f"epoch {ep+1} {time.time()-t0:.0f}s")
