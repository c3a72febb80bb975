"""airbench94's CIFAR-10 recipe (Keller Jordan, github.com/KellerJordan/cifar10-airbench, MIT), re-implemented in
PyTorch 1.13 as a quality reference for bench/RESULTS.md: how far the published recipe gets on this CPU in a given
time, in test accuracy and in precision@1 of cosine neighbours on its pooled features (the number our CLI reports).

    /usr/bin/python3 bench/peers/airbench_quality.py --data ../shared/data/cifar10 --widths 32,128,128 --epochs 15

Reads the JPEG folders (train|test/<class>/*.jpg) once into --cache (.npz, needs python3-pil), then trains on 2 threads.
Prints one line per epoch and a FINAL line: training seconds, test accuracy with airbench's flip-and-shift test-time
augmentation, and precision@1 on the 10,000 test images without, with the flip, and with flip and shift.
"""
import os, sys, time, math, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(2)
import argparse
p=argparse.ArgumentParser()
p.add_argument('--data',default='../shared/data/cifar10'); p.add_argument('--cache',default='/tmp/airbench-cache')
p.add_argument('--widths',default='64,256,256'); p.add_argument('--epochs',type=float,default=9.9)
p.add_argument('--bs',type=int,default=1024); p.add_argument('--lr',type=float,default=11.5)
p.add_argument('--steps',type=int,default=0); p.add_argument('--seed',type=int,default=1)
p.add_argument('--cl',type=int,default=1); p.add_argument('--ntrain',type=int,default=50000)
a=p.parse_args(); torch.manual_seed(a.seed)
def load(split):
    path=f'{a.cache}/{split}.npz'
    if not os.path.exists(path):
        from PIL import Image
        os.makedirs(a.cache,exist_ok=True); X=[];Y=[]
        for ci,c in enumerate(sorted(os.listdir(f'{a.data}/{split}'))):
            for f in sorted(os.listdir(f'{a.data}/{split}/{c}')):
                X.append(np.asarray(Image.open(f'{a.data}/{split}/{c}/{f}').convert('RGB'))); Y.append(ci)
        np.savez(path,x=np.stack(X),y=np.array(Y))
    return np.load(path)
w1,w2,w3=map(int,a.widths.split(','))
tr=load('train'); te=load('test')
def prep(x): return torch.tensor(x).float().div(255).permute(0,3,1,2)
mean=torch.tensor((0.4914,0.4822,0.4465)).view(1,3,1,1); std=torch.tensor((0.2470,0.2435,0.2616)).view(1,3,1,1)
perm=torch.randperm(50000)[:a.ntrain]
Xtr=((prep(tr['x'])-mean)/std)[perm]; Ytr=torch.tensor(tr['y']).long()[perm]
Xte=(prep(te['x'])-mean)/std; Yte=torch.tensor(te['y']).long()
mom=0.85; bs=a.bs
kss=1024*(1+1/(1-mom)); lr=a.lr/kss; wd=0.0153*bs/kss; lrb=lr*64
class BN(nn.BatchNorm2d):
    def __init__(s,n): super().__init__(n,eps=1e-12,momentum=0.4); s.weight.requires_grad=False
class Conv(nn.Conv2d):
    def __init__(s,i,o,k=3,padding='same',bias=False): super().__init__(i,o,k,padding=padding,bias=bias)
    def reset_parameters(s):
        super().reset_parameters()
        if s.bias is not None: s.bias.data.zero_()
        w=s.weight.data; torch.nn.init.dirac_(w[:w.size(1)])
class G(nn.Module):
    def __init__(s,i,o):
        super().__init__(); s.conv1=Conv(i,o); s.pool=nn.MaxPool2d(2); s.norm1=BN(o); s.conv2=Conv(o,o); s.norm2=BN(o); s.act=nn.GELU()
    def forward(s,x): return s.act(s.norm2(s.conv2(s.act(s.norm1(s.pool(s.conv1(x)))))))
body=nn.Sequential(Conv(3,24,2,padding=0,bias=True),nn.GELU(),G(24,w1),G(w1,w2),G(w2,w3),nn.MaxPool2d(3),nn.Flatten())
head=nn.Linear(w3,10,bias=False)
net=nn.Sequential(body,head)
net[0][0].weight.requires_grad=False
# whitening
x=Xtr[:5000]; c=3
patches=x.unfold(2,2,1).unfold(3,2,1).transpose(1,3).reshape(-1,3,2,2)
pf=patches.reshape(len(patches),-1).double(); cov=(pf.T@pf/len(pf))
ev,evec=torch.linalg.eigh(cov,UPLO='U'); ev=ev.flip(0).view(-1,1,1,1); evec=evec.T.reshape(12,3,2,2).flip(0)
evs=(evec/torch.sqrt(ev+5e-4)).float(); net[0][0].weight.data[:]=torch.cat((evs,-evs))
if a.cl: net=net.to(memory_format=torch.channels_last)
nb=[p for k,p in net.named_parameters() if 'norm' in k and p.requires_grad]
ot=[p for k,p in net.named_parameters() if 'norm' not in k and p.requires_grad]
opt=torch.optim.SGD([dict(params=nb,lr=lrb,weight_decay=wd/lrb),dict(params=ot,lr=lr,weight_decay=wd/lr)],momentum=mom,nesterov=True)
nb_=len(Xtr)//bs; total=math.ceil(nb_*a.epochs) if not a.steps else a.steps
xp=[0,int(0.23*total),total]; fp=[0.2,1,0.07]
sched=torch.optim.lr_scheduler.LambdaLR(opt,lambda i: float(np.interp(i,xp,fp)))
lossf=nn.CrossEntropyLoss(label_smoothing=0.2,reduction='none')
ema=None; step=0; t0=time.time()
flipped=torch.where((torch.rand(len(Xtr))<0.5).view(-1,1,1,1),Xtr.flip(-1),Xtr)
padded=F.pad(flipped,(2,)*4,'reflect')
def crop(img):
    n=len(img); s=torch.randint(-2,3,(n,2)); out=torch.empty(n,3,32,32)
    for sy in range(-2,3):
        for sx in range(-2,3):
            m=(s[:,0]==sy)&(s[:,1]==sx); out[m]=img[m,:,2+sy:2+sy+32,2+sx:2+sx+32]
    return out
def feats(X,fn):
    net.eval(); out=[]
    with torch.no_grad():
        for i in range(0,len(X),1000):
            xb=X[i:i+1000]
            if a.cl: xb=xb.contiguous(memory_format=torch.channels_last)
            out.append(fn(xb))
    return torch.cat(out)
ep=0
while step<total:
    net.train(); net[0][0].bias.requires_grad=(ep<3)
    imgs=crop(padded)
    if ep%2==1: imgs=imgs.flip(-1)
    idx=torch.randperm(len(imgs)); te0=time.time()
    for i in range(nb_):
        ii=idx[i*bs:(i+1)*bs]; xb=imgs[ii]
        if a.cl: xb=xb.contiguous(memory_format=torch.channels_last)
        out=net(xb)/9; loss=lossf(out,Ytr[ii]).sum()
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); sched.step(); step+=1
        if a.steps: print(step, loss.item()/bs, time.time()-te0, flush=True)
        if ep>=3*a.epochs/9.9 and step%5==0:
            if ema is None: ema={k:v.clone() for k,v in net.state_dict().items()}
            else:
                rho=0.95**5*(step/total)**3
                for e,(k,v) in zip(ema.values(),net.state_dict().items()):
                    if v.dtype==torch.float: e.lerp_(v,1-rho); v.copy_(e)
        if step>=total: break
    if ema is not None:
        for e,(k,v) in zip(ema.values(),net.state_dict().items()):
            if v.dtype==torch.float: v.copy_(e)
    ep+=1
    lg=feats(Xte,lambda x: net(x)); acc=(lg.argmax(1)==Yte).float().mean().item()
    print(f'epoch {ep} step {step}/{total} loss {loss.item()/bs:.4f} acc {acc:.4f} epoch_s {time.time()-te0:.1f} total_s {time.time()-t0:.1f}',flush=True)
train_s=time.time()-t0
def mirror(x,f): return 0.5*f(x)+0.5*f(x.flip(-1))
def tta(x,f):
    l=mirror(x,f); px=F.pad(x,(1,)*4,'reflect')
    return 0.5*l+0.25*mirror(px[:,:,0:32,0:32].contiguous(),f)+0.25*mirror(px[:,:,2:34,2:34].contiguous(),f)
acc_tta=(feats(Xte,lambda x: tta(x,net)).argmax(1)==Yte).float().mean().item()
def p1(E):
    E=F.normalize(E,dim=1); S=E@E.T; S.fill_diagonal_(-9); nn_=S.argmax(1); return (Yte[nn_]==Yte).float().mean().item()
fb=lambda x: body(x)
e0=feats(Xte,fb); e1=feats(Xte,lambda x: mirror(x,fb)); e2=feats(Xte,lambda x: tta(x,fb))
print(f'FINAL train_s {train_s:.0f} acc_tta {acc_tta:.4f} p1 {p1(e0):.4f} p1_flip {p1(e1):.4f} p1_tta {p1(e2):.4f}',flush=True)
